/**
 * An error thrown while a task's lane was made or its work landed, as the task's failure: one
 * that names what failed. A task file the agent broke is `task_file` (retryable: the agent is told
 * and may mend it); a write that failed on a full disk is `disk_full`, naming the disk, since git
 * says only `unable to write file`; anything else is `git`, with lanes' own hint when it has one.
 * An agent that failed writing to a full disk is `disk_full` too.
 */
import { LanesError } from "../errors.js";
import { diskFullDetail } from "../state/disk-errors.js";
import type { AttemptFailure } from "./attempt.js";

/** An error that fails a task, as its detail: the message and, for lanes' own, what to do. */
export function errorDetail(error: unknown): string {
  if (error instanceof LanesError)
    return error.hint ? `${error.message} (${error.hint})` : error.message;
  return error instanceof Error ? error.message : String(error);
}

/** `disks`: the folders whose disk may have filled up (the worktree folder, the repository). */
export function failureOfError(error: unknown, disks: readonly string[]): AttemptFailure {
  const detail = errorDetail(error);
  if (error instanceof LanesError && error.code === "E_TASK_FILE_BROKEN") {
    return { reason: "task_file", detail, retryable: true };
  }
  const full = diskFullDetail(detail, disks);
  if (full !== undefined) return { reason: "disk_full", detail: full, retryable: false };
  return { reason: "git", detail, retryable: false };
}

/** An agent that exited on a failed write with its disk full: `disk_full`, naming the disk. */
export function onFullDisk(failure: AttemptFailure, disks: readonly string[]): AttemptFailure {
  if (failure.reason !== "exit" && failure.reason !== "crash") return failure;
  const full = diskFullDetail(failure.detail, disks);
  return full === undefined ? failure : { reason: "disk_full", detail: full, retryable: false };
}
