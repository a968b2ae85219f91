import type { RunState, RunStatus, TaskState } from "../state/run-state.js";
import type { FailureReason, TaskRunStatus, TokenUsage } from "./events.js";

export interface TaskResult {
  id: string;
  status: TaskRunStatus;
  reason: FailureReason | undefined;
  detail: string | undefined;
  attempts: number;
  durationMs: number | undefined;
  branch: string;
  worktree: string | undefined;
  logPath: string | undefined;
  tokens: TokenUsage | undefined;
  cost: number | undefined;
  /** For a task that never started: why (a stop, a budget, an interrupt). */
  notStartedWhy: string | undefined;
  /** Times the quality loop sent the work back (qa's findings, failed verifies): 0 = first pass. */
  loops: number;
  /** The quality loop's record: phase, loop counts, qa's verdict and findings. */
  quality: TaskState["quality"];
}

/** What `run()` returns: the run's outcome, per task, and how to land it. */
export interface RunResult {
  runId: string;
  status: RunStatus;
  /** 0 every task succeeded, 1 a task failed or did not run, 130 interrupted. */
  exitCode: number;
  integrationBranch: string;
  baseBranch: string | undefined;
  baseCommit: string;
  landed: boolean;
  durationMs: number;
  tasks: TaskResult[];
  /** Set when the selection held no unfinished task: why, and then no run was made at all. */
  nothingToRun?: string;
}

export function buildResult(
  state: RunState,
  extra: { landed: boolean; stoppedBecause: string | undefined },
): RunResult {
  const exitCode = state.status === "interrupted" ? 130 : state.status === "done" ? 0 : 1;
  return {
    runId: state.id,
    status: state.status,
    exitCode,
    integrationBranch: state.integrationBranch,
    baseBranch: state.baseBranch,
    baseCommit: state.baseCommit,
    landed: extra.landed,
    durationMs: (state.finishedAt ?? Date.now()) - state.startedAt,
    tasks: state.order.map((id) => {
      const task = state.tasks[id]!;
      return {
        id,
        status: task.status,
        reason: task.reason,
        detail: task.detail,
        attempts: task.attempts,
        durationMs: task.durationMs,
        branch: task.branch,
        worktree: task.worktree,
        logPath: task.logPath,
        tokens: task.tokens,
        cost: task.cost,
        notStartedWhy: task.status === "pending" ? extra.stoppedBecause : undefined,
        loops: (task.quality?.qaLoops ?? 0) + (task.quality?.verifyLoops ?? 0),
        quality: task.quality,
      };
    }),
  };
}
