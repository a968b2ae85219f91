// The JSON a notification carries. `text` is a ready sentence, so that a Slack incoming webhook
// (which needs a `text` field) takes the payload as it is; the other fields are for programs.
import path from "node:path";
import { formatDuration } from "../config/duration.js";
import type { FailureReason, TaskRunStatus } from "../run/events.js";
import type { RunResult } from "../run/result.js";
import { countStatuses } from "../state/run-state.js";

export interface NotifyPayload {
  event: "run_finished" | "task_failed";
  text: string;
  runId: string;
  /** The repository's folder name, to tell runs of several repositories apart. */
  repository: string;
  repoRoot: string;
  status?: RunResult["status"];
  counts?: Record<TaskRunStatus, number>;
  durationMs?: number;
  integrationBranch?: string;
  reportPath?: string;
  task?: {
    id: string;
    reason: FailureReason | undefined;
    detail: string | undefined;
    logPath: string | undefined;
  };
}

export function runFinishedPayload(
  repoRoot: string,
  result: RunResult,
  reportPath: string | undefined,
): NotifyPayload {
  const counts = countStatuses(result.tasks);
  const repository = path.basename(repoRoot);
  const parts = [`${counts.done} done`];
  if (counts.failed) parts.push(`${counts.failed} failed`);
  if (counts.skipped) parts.push(`${counts.skipped} skipped`);
  if (counts.pending + counts.running)
    parts.push(`${counts.pending + counts.running} not finished`);
  return {
    event: "run_finished",
    text: `lanes run ${result.runId} in ${repository} ${result.status}: ${parts.join(", ")} (${formatDuration(result.durationMs)})${reportPath ? `. Report: ${reportPath}` : ""}`,
    runId: result.runId,
    repository,
    repoRoot,
    status: result.status,
    counts,
    durationMs: result.durationMs,
    integrationBranch: result.integrationBranch,
    ...(reportPath ? { reportPath } : {}),
  };
}

export function taskFailedPayload(
  repoRoot: string,
  runId: string,
  task: NonNullable<NotifyPayload["task"]>,
): NotifyPayload {
  const repository = path.basename(repoRoot);
  return {
    event: "task_failed",
    text: `lanes task ${task.id} failed in ${repository} (run ${runId})${task.reason ? `: ${task.reason}` : ""}${task.detail ? ` — ${task.detail}` : ""}`,
    runId,
    repository,
    repoRoot,
    task,
  };
}
