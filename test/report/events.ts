import type { LanesEvent } from "../../src/run/events.js";

/** Builders for event sequences: tests say what happened, not every field of every event. */
export const RUN = "r1";
export const T0 = 1_700_000_000_000;

type Without<T> = T extends unknown ? Omit<T, "time" | "runId"> : never;

export function at(seconds: number, event: Without<LanesEvent>): LanesEvent {
  return { time: T0 + seconds * 1000, runId: RUN, ...event } as LanesEvent;
}

export const runStarted = (seconds: number, tasks: string[], concurrency = 3): LanesEvent =>
  at(seconds, {
    type: "run_started",
    tasks,
    concurrency,
    integrationBranch: `lanes/run/${RUN}`,
    baseCommit: "abc1234def5678",
    baseBranch: "main",
  });

export const started = (seconds: number, taskId: string, attempt = 1): LanesEvent =>
  at(seconds, {
    type: "task_started",
    taskId,
    phase: "exec",
    attempt,
    pgid: 4242,
    logPath: `.lanes/runs/${RUN}/logs/${taskId}/exec.${attempt}.log`,
  });

export const output = (seconds: number, taskId: string, line: string): LanesEvent =>
  at(seconds, { type: "task_output", taskId, line });

export const done = (seconds: number, taskId: string, durationMs: number): LanesEvent =>
  at(seconds, {
    type: "task_finished",
    taskId,
    status: "done",
    reason: undefined,
    detail: undefined,
    durationMs,
    logPath: undefined,
  });

export const failed = (
  seconds: number,
  taskId: string,
  durationMs: number,
  detail = "no output for 30m",
): LanesEvent =>
  at(seconds, {
    type: "task_finished",
    taskId,
    status: "failed",
    reason: "timeout",
    detail,
    durationMs,
    logPath: `.lanes/runs/${RUN}/logs/${taskId}/exec.1.log`,
  });

export const skipped = (seconds: number, taskId: string, because: string): LanesEvent =>
  at(seconds, {
    type: "task_finished",
    taskId,
    status: "skipped",
    reason: "dependency",
    detail: because,
    durationMs: 0,
    logPath: undefined,
  });

/** A fake terminal or pipe: every write kept separately, so tests can see how text was split. */
export function capture() {
  const writes: string[] = [];
  return {
    writes,
    out: { write: (text: string) => void writes.push(text) },
    text: () => writes.join(""),
  };
}

export const ESCAPE = /\x1b/;
export const strip = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");

/** The agent exited 0: lanes starts landing the task (committing). */
export const landed = (seconds: number, taskId: string, attempt = 1): LanesEvent =>
  at(seconds, { type: "agent_exited", taskId, attempt, durationMs: 1000, ok: true });

export const step = (
  seconds: number,
  taskId: string,
  step: "committing" | "verifying" | "merging",
): LanesEvent => at(seconds, { type: "task_step", taskId, step });

export const merged = (seconds: number, taskId: string): LanesEvent =>
  at(seconds, { type: "task_merged", taskId, commit: "0123456789abcdef" });

export const stopping = (seconds: number, why: string): LanesEvent =>
  at(seconds, { type: "run_stopping", why });

export const runFinished = (
  seconds: number,
  status: "done" | "failed" | "interrupted",
  counts: Partial<Record<"pending" | "running" | "done" | "failed" | "skipped", number>> = {},
): LanesEvent =>
  at(seconds, {
    type: "run_finished",
    status,
    counts: { pending: 0, running: 0, done: 0, failed: 0, skipped: 0, ...counts },
    durationMs: seconds * 1000,
    integrationBranch: `lanes/run/${RUN}`,
  });
