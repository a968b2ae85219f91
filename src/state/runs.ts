// The runs a repository has had, read back for `lanes status`, `logs` and `clean`: listed newest
// first, found by id, and told apart as live (its orchestrator still runs) or not.
import { existsSync, readFileSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { isLanesError, LanesError } from "../errors.js";
import { RUNS_DIR, runDir, runStatePath } from "./layout.js";
import { readLock } from "./lock.js";
import { isProcessAlive, procInfo } from "./proc.js";
import { type RunState, readRunState } from "./run-state.js";

export interface RunSummary {
  id: string;
  dir: string;
  /** Undefined when run.json is missing, truncated or corrupt: see `error`. */
  state: RunState | undefined;
  error: LanesError | undefined;
  /** When run.json was last written (ms since the epoch). */
  updatedAt: number | undefined;
  /** The run's orchestrator (or the process resuming it) is still running. */
  live: boolean;
}

export type FoundRun = RunSummary & { state: RunState };

/** Start times from /proc are exact to a tick, but the boot time they count from is whole seconds. */
const START_SLACK_MS = 3000;
/** USER_HZ, the unit of /proc/<pid>/stat's start time: 100 on every Linux architecture lanes runs on. */
const TICKS_PER_SECOND = 100;

let bootTimeMs: number | undefined | null = null;

function bootTime(): number | undefined {
  if (bootTimeMs === null) {
    try {
      const btime = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1];
      bootTimeMs = btime === undefined ? undefined : Number(btime) * 1000;
    } catch {
      bootTimeMs = undefined;
    }
  }
  return bootTimeMs;
}

/**
 * Whether pid is a live process that can be the one that wrote run.json. A process that started
 * after run.json was last written cannot have written it: the pid was reused after lanes died.
 * (Compared with the last write, not only `startedAt`, because `lanes resume` records its own
 * pid under the original start time.)
 */
function isWriter(pid: number, writtenAt: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (!existsSync("/proc/self/stat")) {
    // No /proc (macOS): existence is all that can be told.
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "EPERM";
    }
  }
  const info = procInfo(pid);
  if (!info || info.zombie) return false; // PID 1 here may never reap a dead orchestrator
  const boot = bootTime();
  if (boot === undefined) return true;
  const startedMs = boot + (info.startTicks * 1000) / TICKS_PER_SECOND;
  return startedMs <= writtenAt + START_SLACK_MS;
}

/**
 * Whether the run is live: recorded as running, and its orchestrator pid is alive, not a zombie,
 * and not a newer process that reused the pid. `writtenAt` (run.json's mtime) widens the start
 * time check for resumed runs; without it `startedAt` is used.
 */
export function isRunLive(
  state: Pick<RunState, "status" | "pid" | "startedAt" | "pidStartTicks">,
  writtenAt?: number,
): boolean {
  if (state.status !== "running") return false;
  if (state.pidStartTicks !== undefined) return isProcessAlive(state.pid, state.pidStartTicks);
  return isWriter(state.pid, Math.max(state.startedAt ?? 0, writtenAt ?? 0));
}

/** The run id whose process holds the repository lock (starting, running or resuming it), if alive. */
export async function lockedRunId(repoRoot: string): Promise<string | undefined> {
  const holder = await readLock(repoRoot).catch(() => undefined);
  if (!holder) return undefined;
  // Another machine's process cannot be checked: trust its lock.
  if (holder.hostname !== hostname()) return holder.runId;
  return isProcessAlive(holder.pid, holder.startTicks) ? holder.runId : undefined;
}

async function readSummary(
  repoRoot: string,
  id: string,
  locked: string | undefined,
): Promise<RunSummary> {
  const dir = runDir(repoRoot, id);
  const file = runStatePath(repoRoot, id);
  const updatedAt = await stat(file).then(
    (s) => s.mtimeMs,
    () => undefined,
  );
  try {
    const state = await readRunState(file);
    const live = locked === id || isRunLive(state, updatedAt);
    return { id, dir, state, error: undefined, updatedAt, live };
  } catch (error) {
    if (!isLanesError(error)) throw error;
    return { id, dir, state: undefined, error, updatedAt, live: locked === id };
  }
}

async function runIds(repoRoot: string): Promise<string[]> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(path.join(repoRoot, RUNS_DIR), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new LanesError(
      "E_IO",
      `cannot read ${path.join(repoRoot, RUNS_DIR)}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  // Run ids sort by time (YYYYMMDD-HHMMSS-xxxx); dot entries are the lock and .gitignore.
  return entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
    .map((entry) => entry.name)
    .sort()
    .reverse();
}

/** One run by its exact id, read afresh (`lanes logs --follow` polls it). */
export async function readRun(repoRoot: string, id: string): Promise<RunSummary> {
  return readSummary(repoRoot, id, await lockedRunId(repoRoot));
}

/** Every run of the repository, newest first; a corrupt run.json is a run with an `error`. */
export async function listRuns(repoRoot: string): Promise<RunSummary[]> {
  const [ids, locked] = await Promise.all([runIds(repoRoot), lockedRunId(repoRoot)]);
  return Promise.all(ids.map((id) => readSummary(repoRoot, id, locked)));
}

/** The newest run (possibly one with an error), or undefined when there is none. */
export async function latestRun(repoRoot: string): Promise<RunSummary | undefined> {
  const [newest] = await runIds(repoRoot);
  return newest === undefined
    ? undefined
    : readSummary(repoRoot, newest, await lockedRunId(repoRoot));
}

function describeRuns(runs: RunSummary[], max = 5): string {
  const shown = runs
    .slice(0, max)
    .map((run) => `${run.id} (${run.state?.status ?? "unreadable"})`)
    .join(", ");
  return runs.length > max ? `${shown}, and ${runs.length - max} older` : shown;
}

/**
 * The run named (an exact id or a unique prefix), or the newest one. Errors: E_NO_RUN naming the
 * runs that exist; E_STATE when the run's run.json is corrupt.
 */
export async function findRun(repoRoot: string, runId?: string): Promise<FoundRun> {
  return pickRun(repoRoot, await listRuns(repoRoot), runId);
}

/** findRun over runs already listed (newest first), for callers that need the list too. */
export function pickRun(repoRoot: string, runs: RunSummary[], runId?: string): FoundRun {
  if (runs.length === 0) {
    throw new LanesError("E_NO_RUN", `no runs yet in ${path.join(repoRoot, RUNS_DIR)}`, {
      hint: "start one with `lanes run` (or try `lanes demo`)",
    });
  }
  let found: RunSummary | undefined;
  if (runId === undefined) found = runs[0];
  else {
    found = runs.find((run) => run.id === runId);
    if (!found) {
      const matches = runs.filter((run) => run.id.startsWith(runId));
      if (matches.length > 1) {
        throw new LanesError(
          "E_NO_RUN",
          `${JSON.stringify(runId)} matches ${matches.length} runs: ${describeRuns(matches)}`,
          { hint: "give more of the run id" },
        );
      }
      found = matches[0];
    }
  }
  if (!found) {
    throw new LanesError(
      "E_NO_RUN",
      `no run ${JSON.stringify(runId)} in ${path.join(repoRoot, RUNS_DIR)}`,
      {
        hint: `runs: ${describeRuns(runs)}`,
      },
    );
  }
  if (!found.state) {
    const others = runs.filter((run) => run !== found && run.state);
    const error = found.error!;
    throw new LanesError(error.code, `run ${found.id}: ${error.message}`, {
      hint: `${error.hint ?? "delete the run folder"}${others.length > 0 ? `; other runs: ${describeRuns(others)}` : ""}`,
      cause: error,
    });
  }
  return found as FoundRun;
}
