// `logs()`, the API behind `lanes logs`: a task's log as an async iterator of chunks, which with
// `follow` goes on while the task runs, moves on to a retry's log, and ends with the task.
import { open } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { findRepoRoot } from "../git/repo.js";
import { type FoundRun, readRun } from "../state/runs.js";
import { type LogFile, type LogWanted, logFiles, otherLogs, pickLog } from "./files.js";
import { noLogError, runWithTask } from "./find.js";

export interface LogsOptions {
  /** A directory inside the repository; defaults to the current one. */
  cwd?: string;
  /** The task whose log to read. */
  task: string;
  /** The run (an id or a unique prefix); defaults to the newest run that has the task. */
  runId?: string;
  /** `exec` (the agent; the default when it has one) or `verify`. */
  phase?: string;
  /** Which attempt, from 1; defaults to the latest. */
  attempt?: number;
  /** Keep reading while the task runs in a live run; end when it is over and drained. */
  follow?: boolean;
  /** Ends a follow early (the iterator then just returns). */
  signal?: AbortSignal;
  /** How often a follow looks for new output and for the task's end; default 200 ms. */
  pollMs?: number;
}

/**
 * What logs() yields: `log` when it starts on a log file (first the one asked for, then, when
 * following, a retry's), `output` with the file's bytes as written, and `stopped` when a followed
 * run's orchestrator went away before the run finished.
 */
export type LogChunk =
  | {
      type: "log";
      runId: string;
      taskId: string;
      phase: string;
      attempt: number;
      file: string;
      /** The task's other logs in the run (`exec.1`, `verify.2`); never the one shown. */
      others: string[];
      /** Moved on to this log from an earlier one while following. */
      next: boolean;
    }
  | { type: "output"; data: Uint8Array }
  | { type: "stopped"; runId: string };

const POLL_MS = 200;
const CHUNK = 64 * 1024;

/** The file's bytes from offset to its current end. */
async function* readFrom(file: string, offset: number): AsyncGenerator<Uint8Array> {
  const handle = await open(file, "r").catch(() => undefined);
  if (!handle) return;
  try {
    let at = offset;
    for (;;) {
      const buffer = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, at);
      if (bytesRead === 0) return;
      at += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

function opened(run: FoundRun, taskId: string, log: LogFile, files: LogFile[], next: boolean) {
  return {
    type: "log" as const,
    runId: run.id,
    taskId,
    phase: log.phase,
    attempt: log.attempt,
    file: log.file,
    others: otherLogs(files, log),
    next,
  };
}

async function* follow(
  repoRoot: string,
  first: FoundRun,
  taskId: string,
  wanted: LogWanted,
  options: LogsOptions,
): AsyncGenerator<LogChunk> {
  let run = first;
  let current: LogFile | undefined;
  let offset = 0;
  const drain = async function* (): AsyncGenerator<LogChunk> {
    if (!current) return;
    for await (const data of readFrom(current.file, offset)) {
      offset += data.length;
      yield { type: "output", data };
    }
  };
  const files = await logFiles(run.dir, taskId);
  current = pickLog(files, wanted);
  if (current) yield opened(run, taskId, current, files, false);
  for (;;) {
    yield* drain();
    if (options.signal?.aborted) return;
    const fresh = await readRun(repoRoot, run.id);
    if (fresh.state) run = fresh as FoundRun;
    const task = run.state.tasks[taskId];
    // A pinned attempt is over once a later one has started.
    const finished =
      !fresh.live ||
      !task ||
      (task.status !== "running" && task.status !== "pending") ||
      (wanted.attempt !== undefined && task.attempts > wanted.attempt);
    const now = await logFiles(run.dir, taskId);
    const next = pickLog(now, wanted);
    if (next && next.file !== current?.file) {
      yield* drain();
      yield opened(run, taskId, next, now, current !== undefined);
      current = next;
      offset = 0;
      continue;
    }
    if (finished) {
      if (!current) throw noLogError(run, taskId, now, wanted);
      yield* drain();
      if (!fresh.live && run.state.status === "running") yield { type: "stopped", runId: run.id };
      return;
    }
    await sleep(options.pollMs ?? POLL_MS, undefined, { signal: options.signal }).catch(() => {});
  }
}

/**
 * A task's log, chunk by chunk, from the newest run that has the task (or `runId`). Throws a
 * LanesError (exit 2) for an unknown run or task and for a task without such a log, naming what
 * exists. Stop early by breaking out of the loop (or with `signal` while following).
 */
export async function* logs(options: LogsOptions): AsyncGenerator<LogChunk, void, undefined> {
  const repoRoot = await findRepoRoot(options.cwd ?? process.cwd());
  const taskId = options.task;
  const wanted: LogWanted = { phase: options.phase, attempt: options.attempt };
  const run = await runWithTask(repoRoot, taskId, options.runId);
  const files = await logFiles(run.dir, taskId);
  const log = pickLog(files, wanted);
  const waitable = run.live && ["pending", "running"].includes(run.state.tasks[taskId]!.status);
  if (options.follow && (log || waitable)) {
    yield* follow(repoRoot, run, taskId, wanted, options);
    return;
  }
  if (!log) throw noLogError(run, taskId, files, wanted);
  yield opened(run, taskId, log, files, false);
  for await (const data of readFrom(log.file, 0)) yield { type: "output", data };
}
