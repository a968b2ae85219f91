/**
 * A lane's `setup` and `teardown` commands (`npm ci`, `uv sync`, `docker compose up -d`): run in
 * the lane like an agent, through the same process-group runner (agents/process.ts), so that a
 * timeout or Ctrl-C ends everything they started and their output goes to a log, not to memory.
 * A failing setup fails the task with reason `setup`; a failing teardown is only logged.
 */
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { runAgentProcess } from "../agents/process.js";
import { formatDuration } from "../config/duration.js";
import { LanesError, show } from "../errors.js";

/** A string runs through `sh -c` (so `npm ci && npm run build` works); an array is an argv. */
export type LaneCommand = string | readonly string[];

export interface LaneCommandOptions {
  command: LaneCommand;
  /** The lane's worktree: the command's working directory. */
  lane: string;
  /** Added to the inherited environment: the LANES_* variables and the lane's ports. */
  env: Record<string, string>;
  /** Where the command's output goes (`logs/<task>/setup.log`); parent folders are created. */
  logPath: string;
  /** `lane.setupTimeout`; 0 or Infinity for none. */
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL when the group is ended. */
  graceMs?: number;
  /** Ctrl-C: ends the command's process group. */
  signal?: AbortSignal;
  /** The command's process group id, as soon as it exists: for the state file. */
  onSpawn?: (pgid: number) => void;
}

export type LaneSetupResult =
  | { ok: true; durationMs: number }
  | {
      ok: false;
      reason: "setup";
      /** Ended by the signal (Ctrl-C): the run is stopping, not the setup failing on its own. */
      aborted: boolean;
      /** One line: what happened and where the log is. */
      message: string;
      /** The log's last lines. */
      tail: string[];
      durationMs: number;
    };

export interface LaneTeardownResult {
  ok: boolean;
  /** Why it did not go well, when it did not. */
  message?: string;
}

export const DEFAULT_SETUP_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_GRACE_MS = 5_000;

/** The argv a command runs as; a bad command is a settings error naming `key`. */
export function laneCommandArgv(command: LaneCommand, key = "lane.setup"): string[] {
  if (typeof command === "string") {
    if (command.trim() === "") throw badCommand(key, command);
    return ["sh", "-c", command];
  }
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    command.some((part) => typeof part !== "string") ||
    command[0] === ""
  ) {
    throw badCommand(key, command);
  }
  return [...command];
}

/** Runs the setup once in a new lane; resolves with a failure rather than throwing. */
export async function runLaneSetup(options: LaneCommandOptions): Promise<LaneSetupResult> {
  const argv = laneCommandArgv(options.command, "lane.setup");
  const outcome = await runInLane("setup", argv, options);
  if (outcome.problem === undefined) return { ok: true, durationMs: outcome.durationMs };
  return {
    ok: false,
    reason: "setup",
    aborted: outcome.aborted,
    message: `${outcome.problem} (log: ${options.logPath})`,
    tail: outcome.tail,
    durationMs: outcome.durationMs,
  };
}

/** Runs the teardown before a lane is removed. Best effort: never throws, only reports. */
export async function runLaneTeardown(options: LaneCommandOptions): Promise<LaneTeardownResult> {
  try {
    const argv = laneCommandArgv(options.command, "lane.teardown");
    const outcome = await runInLane("teardown", argv, options);
    if (outcome.problem === undefined) return { ok: true };
    await note(options.logPath, `lanes: ${outcome.problem}; the lane is removed all the same`);
    return { ok: false, message: outcome.problem };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

interface Outcome {
  /** Undefined when the command succeeded. */
  problem: string | undefined;
  aborted: boolean;
  tail: string[];
  durationMs: number;
}

async function runInLane(
  what: "setup" | "teardown",
  argv: string[],
  options: LaneCommandOptions,
): Promise<Outcome> {
  try {
    await note(options.logPath, `$ ${argv.map(quoteForLog).join(" ")}`);
    const result = await runAgentProcess({
      argv,
      cwd: options.lane,
      env: options.env,
      prompt: "",
      logPath: options.logPath,
      timeoutMs: options.timeoutMs,
      graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
      signal: options.signal,
      onSpawn: options.onSpawn,
    });
    const base = { aborted: result.aborted, tail: result.tail, durationMs: result.durationMs };
    if (result.aborted) return { ...base, problem: `the ${what} was interrupted` };
    if (result.timedOut) {
      return {
        ...base,
        problem: `the ${what} did not finish within ${formatDuration(options.timeoutMs)}`,
      };
    }
    if (result.spawnError !== undefined) {
      return { ...base, problem: `the ${what} could not start: ${result.spawnError}` };
    }
    if (result.signal !== undefined) {
      return { ...base, problem: `the ${what} was ended by ${result.signal}` };
    }
    if (result.exitCode !== 0) {
      return { ...base, problem: `the ${what} exited with code ${String(result.exitCode)}` };
    }
    return { ...base, problem: undefined };
  } catch (error) {
    // The log could not be opened: the command never ran.
    return { problem: (error as Error).message, aborted: false, tail: [], durationMs: 0 };
  }
}

async function note(logPath: string, line: string): Promise<void> {
  await mkdir(dirname(logPath), { recursive: true });
  await appendFile(logPath, `${line}\n`);
}

function quoteForLog(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

function badCommand(key: string, value: unknown): LanesError {
  return new LanesError(
    "E_SETTINGS",
    `Expected \`${key}\` to be a command string or a non-empty argv array, got ${show(value)}.`,
    { hint: `For example "${key}": "npm ci" or "${key}": ["npm", "ci"].` },
  );
}
