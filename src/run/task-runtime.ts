/**
 * What the orchestrator holds of one task while the run lives, in one record: its run.json
 * record, the one AbortController that ends whatever the task runs (agent, verify) and stops its
 * landing, its lane, its retry timer and what the last failure said. The task's status lives in
 * its run.json record alone.
 */
import type { TaskState } from "../state/run-state.js";
import type { Task } from "../tasks/task.js";

export class TaskRuntime {
  /** Set from the start of an attempt to the end of its landing. */
  controller: AbortController | undefined;
  /** A retry waiting for its back-off. */
  retryTimer: NodeJS.Timeout | undefined;
  /** The task's worktree, being created or ready: created once, whoever asks first. */
  lane: Promise<string> | undefined;
  /** The lane's last commit once its agent exited: where a chain's next lane starts. */
  head: Promise<string | undefined> | undefined;
  /** `<reason>: <detail>` of the last failed attempt, for the retry's prompt. */
  lastFailure: string | undefined;
  /** What the lane adds to every process's environment while it runs: its ports (lane-life.ts). */
  laneEnv: Record<string, string> = {};
  /** Wait at least this long before a retry: the reset time a rate-limited agent reported. */
  retryNotBefore = 0;

  constructor(
    readonly task: Task,
    readonly record: TaskState,
    /** Attempts of the run being resumed: attempts are numbered on, so no log is overwritten. */
    readonly attemptsBefore: number,
  ) {}

  get id(): string {
    return this.task.id;
  }

  /** A fresh controller for the attempt starting now. */
  beginAttempt(): AbortSignal {
    this.controller = new AbortController();
    return this.controller.signal;
  }

  endAttempt(): void {
    this.controller = undefined;
  }

  abort(): void {
    this.controller?.abort();
  }
}
