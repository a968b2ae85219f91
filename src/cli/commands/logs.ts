import { open, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Command } from "@commander-js/extra-typings";
import { LanesError } from "../../errors.js";
import { findRepoRoot } from "../../git/repo.js";
import { parseLogFileName, taskLogDir } from "../../state/layout.js";
import { type FoundRun, findRun, listRuns, readRun } from "../../state/runs.js";

/** How often `--follow` looks for new output and for the task's end. */
const POLL_MS = 200;
const CHUNK = 64 * 1024;

interface LogFile {
  phase: string;
  attempt: number;
  file: string;
  mtimeMs: number;
}

/** The task's logs in a run: logs/<task>/<phase>.<attempt>.log, in attempt order. */
async function logFiles(run: FoundRun, taskId: string): Promise<LogFile[]> {
  const dir = taskLogDir(run.dir, taskId);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const files: LogFile[] = [];
  for (const name of names) {
    const parsed = parseLogFileName(name);
    if (!parsed) continue;
    const file = path.join(dir, name);
    const mtimeMs = await stat(file).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    files.push({ ...parsed, file, mtimeMs });
  }
  return files.sort((a, b) => a.attempt - b.attempt || a.mtimeMs - b.mtimeMs);
}

function names(files: LogFile[]): string {
  return files.map((f) => `${f.phase}.${f.attempt}`).join(", ");
}

interface Wanted {
  phase: string | undefined;
  attempt: number | undefined;
}

/**
 * The log to show: the phase asked for, else the agent's (exec) when there is one, else the
 * newest; the attempt asked for, else the latest of that phase.
 */
function pick(files: LogFile[], wanted: Wanted): LogFile | undefined {
  let candidates = files;
  if (wanted.phase !== undefined) candidates = files.filter((f) => f.phase === wanted.phase);
  else if (wanted.attempt !== undefined) {
    const ofAttempt = files.filter((f) => f.attempt === wanted.attempt);
    const exec = ofAttempt.filter((f) => f.phase === "exec");
    candidates = exec.length > 0 ? exec : ofAttempt;
  } else {
    const exec = files.filter((f) => f.phase === "exec");
    if (exec.length > 0) candidates = exec;
    else {
      const newest = [...files].sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
      candidates = newest ? files.filter((f) => f.phase === newest.phase) : [];
    }
  }
  if (wanted.attempt !== undefined)
    candidates = candidates.filter((f) => f.attempt === wanted.attempt);
  return candidates.at(-1);
}

function parseAttempt(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new LanesError(
      "E_USAGE",
      `Invalid --attempt value: ${JSON.stringify(text)}. Must be a whole number from 1.`,
      {
        hint: "for example --attempt 2 (lanes status shows how many attempts a task had)",
      },
    );
  }
  return Number(text);
}

function checkPhase(text: string | undefined): string | undefined {
  if (text !== undefined && !/^[a-z][a-z0-9_-]*$/.test(text)) {
    throw new LanesError("E_USAGE", `Invalid --phase value: ${JSON.stringify(text)}`, {
      hint: "a phase name such as exec or verify",
    });
  }
  return text;
}

/** The newest run that has the task, or the run named with --run. */
async function runWithTask(
  repoRoot: string,
  taskId: string,
  runId: string | undefined,
): Promise<FoundRun> {
  if (runId !== undefined) {
    const run = await findRun(repoRoot, runId);
    if (!run.state.tasks[taskId]) {
      throw new LanesError(
        "E_TASK_UNKNOWN",
        `run ${run.id} has no task ${JSON.stringify(taskId)}`,
        {
          hint: `its tasks: ${run.state.order.join(", ") || "(none)"}`,
        },
      );
    }
    return run;
  }
  const runs = await listRuns(repoRoot);
  if (runs.length === 0) await findRun(repoRoot); // throws the "no runs yet" error
  const found = runs.find((run) => run.state?.tasks[taskId]);
  if (found) return found as FoundRun;
  const latest = runs.find((run) => run.state);
  const unreadable = runs.filter((run) => !run.state).map((run) => run.id);
  throw new LanesError("E_TASK_UNKNOWN", `no run has a task ${JSON.stringify(taskId)}`, {
    hint: [
      latest
        ? `tasks of the latest run ${latest.id}: ${latest.state!.order.join(", ") || "(none)"}`
        : undefined,
      unreadable.length > 0 ? `unreadable runs: ${unreadable.join(", ")}` : undefined,
    ]
      .filter(Boolean)
      .join("; "),
  });
}

/** Writes to stdout; false once the reader has gone (`lanes logs x | head`). */
class Out {
  private closed = false;
  private readonly onError = () => {
    this.closed = true;
  };

  constructor() {
    process.stdout.on("error", this.onError);
  }

  get open(): boolean {
    return !this.closed;
  }

  write(chunk: Uint8Array): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      process.stdout.write(chunk, (error) => {
        if (error) this.closed = true;
        resolve();
      });
    });
  }

  dispose(): void {
    process.stdout.off("error", this.onError);
  }
}

/** Copies file from offset to its current end; returns the new offset. */
async function drain(file: string, offset: number, out: Out): Promise<number> {
  const handle = await open(file, "r").catch(() => undefined);
  if (!handle) return offset;
  try {
    const buffer = Buffer.alloc(CHUNK);
    let at = offset;
    while (out.open) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, at);
      if (bytesRead === 0) break;
      await out.write(buffer.subarray(0, bytesRead));
      at += bytesRead;
    }
    return at;
  } finally {
    await handle.close();
  }
}

function noLogError(run: FoundRun, taskId: string, files: LogFile[], wanted: Wanted): LanesError {
  const task = run.state.tasks[taskId]!;
  const asked = [
    wanted.phase,
    wanted.attempt === undefined ? undefined : `attempt ${wanted.attempt}`,
  ]
    .filter(Boolean)
    .join(" ");
  if (files.length > 0) {
    return new LanesError("E_USAGE", `task ${taskId} has no ${asked} log in run ${run.id}`, {
      hint: `its logs: ${names(files)} (lanes logs ${taskId} --phase <phase> --attempt <n>)`,
    });
  }
  const why =
    task.status === "skipped"
      ? `it was skipped${task.detail ? `: ${task.detail}` : ""}`
      : task.status === "pending"
        ? "it has not started"
        : `it is ${task.status}`;
  return new LanesError("E_USAGE", `task ${taskId} has no log yet in run ${run.id}: ${why}`, {
    hint: run.live
      ? `wait for it with lanes logs ${taskId} --follow`
      : `lanes status ${run.id} shows every task`,
  });
}

function header(run: FoundRun, taskId: string, log: LogFile, files: LogFile[]): string {
  const others = files.filter((f) => f !== log);
  const also = others.length > 0 ? ` (also: ${names(others)})` : "";
  return `lanes: run ${run.id}, task ${taskId}, ${log.phase} attempt ${log.attempt}${also}: ${log.file}\n`;
}

/**
 * `--follow`: prints what is there, then what is appended, until the task is no longer running
 * (or the run is no longer live) and the file is drained. Without a pinned attempt it moves on
 * to a retry's log when one appears.
 */
async function follow(
  repoRoot: string,
  first: FoundRun,
  taskId: string,
  wanted: Wanted,
  out: Out,
): Promise<void> {
  let run = first;
  let current = pick(await logFiles(run, taskId), wanted);
  let offset = 0;
  if (current) process.stderr.write(header(run, taskId, current, await logFiles(run, taskId)));
  for (;;) {
    if (current) offset = await drain(current.file, offset, out);
    if (!out.open) return;
    const fresh = await readRun(repoRoot, run.id);
    if (fresh.state) run = fresh as FoundRun;
    const task = run.state.tasks[taskId];
    // A pinned attempt is over once a later one has started.
    const finished =
      !fresh.live ||
      !task ||
      (task.status !== "running" && task.status !== "pending") ||
      (wanted.attempt !== undefined && task.attempts > wanted.attempt);
    const next = pick(await logFiles(run, taskId), wanted);
    if (next && next.file !== current?.file) {
      if (current) {
        await drain(current.file, offset, out);
        process.stderr.write(`lanes: ${taskId} ${next.phase} attempt ${next.attempt}\n`);
      } else {
        process.stderr.write(header(run, taskId, next, await logFiles(run, taskId)));
      }
      current = next;
      offset = 0;
      continue;
    }
    if (finished) {
      if (current) await drain(current.file, offset, out);
      else throw noLogError(run, taskId, await logFiles(run, taskId), wanted);
      if (!fresh.live && run.state.status === "running") {
        process.stderr.write(
          `lanes: run ${run.id} stopped without finishing: lanes resume ${run.id}\n`,
        );
      }
      return;
    }
    await sleep(POLL_MS);
  }
}

export function logsCommand() {
  return new Command("logs")
    .description(
      "print a task's agent output: the latest run that has the task, its latest attempt; --follow a live run",
    )
    .argument("<task>", "the task id")
    .option("--run <run-id>", "the run to read (default: the latest run that has the task)")
    .option("--phase <phase>", "which log: exec (the agent; default) or verify")
    .option("--attempt <n>", "which attempt (default: the latest)")
    .option("-f, --follow", "keep printing new output while the task runs; stop when it finishes")
    .action(async (taskId, flags) => {
      const wanted: Wanted = {
        phase: checkPhase(flags.phase),
        attempt: parseAttempt(flags.attempt),
      };
      const repoRoot = await findRepoRoot(process.cwd());
      const run = await runWithTask(repoRoot, taskId, flags.run);
      const out = new Out();
      try {
        const files = await logFiles(run, taskId);
        const log = pick(files, wanted);
        const waitable =
          run.live && ["pending", "running"].includes(run.state.tasks[taskId]!.status);
        if (flags.follow && (log || waitable)) {
          await follow(repoRoot, run, taskId, wanted, out);
          return;
        }
        if (!log) throw noLogError(run, taskId, files, wanted);
        process.stderr.write(header(run, taskId, log, files));
        await drain(log.file, 0, out);
      } finally {
        out.dispose();
      }
    });
}
