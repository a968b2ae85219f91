/**
 * The scheduler's contract. The scheduler is pure: it touches no file, process or clock. The
 * orchestrator (or the virtual-clock simulator) tells it what happened and acts on its decisions.
 *
 * A task's life: pending -> running (holds a slot while its agent runs) -> finishing (agent exited,
 * slot already free; lanes commits, verifies and merges) -> done | failed. A failed task's
 * dependents become skipped. A retry goes running -> waiting (backoff) -> running.
 */
export type SchedulerMode = "parallel" | "fail-fast" | "sequential" | "chain";

export interface SchedulerTask {
  id: string;
  /** Only dependencies inside this schedule; finished ones are left out by the caller. */
  dependsOn: string[];
  /** Longest remaining path from this task to the end, itself included (graph/priorities). */
  priority: number;
  /** Paths or globs the task expects to touch: tasks whose files overlap never run together. */
  files?: readonly string[];
}

/**
 * "avoid" (the default): a task does not start while a task whose `files` overlap its own is in
 * flight (running, waiting to retry, or finishing); "allow": `files` play no part in scheduling.
 */
export type OverlapPolicy = "avoid" | "allow";

export interface SchedulerOptions {
  concurrency: number;
  mode: SchedulerMode;
  /** Groups run in order: group k+1 starts when every task of group k is finished. */
  batches?: string[][];
  /** How many times a failed, retryable attempt is run again. */
  retries: number;
  /** Milliseconds to wait before retry number `attempt` (2 = first retry); injected for purity. */
  backoffMs: (attempt: number) => number;
  overlap?: OverlapPolicy;
}

export type SchedulerTaskState =
  | "pending"
  | "running"
  | "waiting"
  | "finishing"
  | "done"
  | "failed"
  | "skipped";

export type Decision =
  /** Start the agent of `id`. In chain mode `after` names the task whose branch to start from. */
  | { type: "start"; id: string; attempt: number; after: string | undefined }
  /** Call `retryDue(id)` after `delayMs`. */
  | { type: "retry_later"; id: string; attempt: number; delayMs: number }
  | { type: "skip"; id: string; because: string }
  /** Stop starting tasks; with `cancelRunning`, end the running agents too (fail-fast). */
  | { type: "stop"; why: string; cancelRunning: boolean };

export interface AttemptOutcome {
  ok: boolean;
  /** Whether a failure may be retried (timeouts and crashes may; `no_changes` may not). */
  retryable: boolean;
}
