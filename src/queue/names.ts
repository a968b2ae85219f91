/**
 * Names in Redis and on the remote, in one place. One BullMQ queue, `lanes`, carries every run's
 * jobs, so that a worker's --concurrency holds across runs and no worker has to discover queues;
 * each job's id is made of its repository, run, task and attempt, so that adding a job twice (a
 * resumed coordinator, a queue emptied by a Redis restart) is one job, and the registry says
 * which repository each live run belongs to, so that a worker refuses a job no run asked for.
 */
import { createHash } from "node:crypto";

export const QUEUE_NAME = "lanes";
/** BullMQ's key prefix: everything lanes keeps in Redis starts with `lanes:`. */
export const QUEUE_PREFIX = "lanes";
/** Hash of `<repoKey>.<runId>` -> the repository's URL, for each run that has jobs. */
export const REGISTRY_KEY = "lanes:runs";
/** Pub/sub channel on which a coordinator asks workers to end a job (its run stops). */
export const CANCEL_CHANNEL = "lanes:cancel";

/** A short stable key of a repository's URL, safe in ids. */
export function repositoryKey(repository: string): string {
  return createHash("sha256").update(repository).digest("hex").slice(0, 12);
}

export function runKey(repository: string, runId: string): string {
  return `${repositoryKey(repository)}.${runId}`;
}

/** BullMQ job ids may not hold ":"; task ids and run ids never do. */
export function jobId(repository: string, runId: string, taskId: string, attempt: number): string {
  return `${runKey(repository, runId)}.${taskId}.${attempt}`;
}

/** The remote ref a run's integration branch is pushed to, for workers to fetch. */
export function baseRef(integrationBranch: string): string {
  return `refs/heads/${integrationBranch}`;
}
