/**
 * Landing a task after its agent exited 0 and freed its slot: commit what the agent left, check
 * it changed something, verify, write the task's record commit, merge into the integration
 * branch. Each step is told (`task_step`); a later phase or check is one more step here.
 *
 * The git processes between "agent exited" and "merged", and why each must run: `add -A` and
 * `commit` (what the agent left uncommitted becomes the lane's work; HEAD before and after is
 * read from files, head-file.ts); `rev-list` only when the agent made commits of its own (the
 * record lists them); `cat-file` and `commit` of the task file when its record rides in the
 * lane (task-records.ts); `merge-tree` (skipped when the integration branch has not moved since
 * the lane started: the lane's tree is the result), `commit-tree` (the merge commit) and
 * `update-ref` old->new (the compare-and-swap that makes a merge all or nothing). The lane's
 * worktree then goes back to the pool with no git process (git/pool.ts).
 */

import { LanesError } from "../errors.js";
import { laneProblem } from "../git/lane-check.js";
import { commitAll, mergeInto } from "../git/merge.js";
import { logPath } from "../state/layout.js";
import type { AttemptFailure } from "./attempt.js";
import type { LandingStep } from "./events.js";
import type { Integration } from "./lane-pool.js";
import type { Ledger } from "./ledger.js";
import type { LiveGroups } from "./live-groups.js";
import type { PreparedRun } from "./prepare.js";
import { recordDone } from "./task-records.js";
import type { TaskRuntime } from "./task-runtime.js";
import { runVerify } from "./verify.js";

export type LandingOutcome =
  | { kind: "merged"; lane: string }
  | { kind: "failed"; failure: AttemptFailure }
  /** The task's signal ended its verify: the task goes back to pending. */
  | { kind: "cancelled" };

export interface LandingContext {
  prepared: PreparedRun;
  ledger: Ledger;
  groups: LiveGroups;
  integration: Integration;
}

export async function land(
  ctx: LandingContext,
  runtime: TaskRuntime,
  attempt: number,
  signal: AbortSignal,
): Promise<LandingOutcome> {
  const { prepared, ledger, integration } = ctx;
  const { id, record, task } = runtime;
  const lane = record.worktree!;
  const step = (name: LandingStep) => ledger.emit({ type: "task_step", taskId: id, step: name });
  let resolveHead!: (commit: string | undefined) => void;
  runtime.head = new Promise((resolve) => {
    resolveHead = resolve;
  });
  try {
    step("committing");
    // An agent that deleted its worktree or switched its branch: nothing to commit or merge.
    const broken = await laneProblem(lane, record.branch);
    if (broken) {
      resolveHead(undefined);
      return failed({ reason: "git", detail: broken, retryable: false });
    }
    const { commit, committed, before } = await commitAll(
      prepared.git,
      lane,
      `${task.title}\n\nlanes task ${id} (run ${prepared.runId})`,
    );
    resolveHead(commit);
    if (commit === record.startCommit) {
      return failed({
        reason: "no_changes",
        detail: "the agent exited 0 but changed no file",
        retryable: false,
      });
    }
    if (prepared.settings.verify) step("verifying");
    const verified = await verify(ctx, runtime, attempt, lane, signal);
    if (verified.kind === "aborted") return { kind: "cancelled" };
    if (verified.kind === "failed") return verified;
    step("merging");
    const source = await recordDone(prepared.git, {
      id,
      lane,
      file: task.file,
      startCommit: record.startCommit!,
      commit,
      integrationBranch: integration.branch,
      runId: prepared.runId,
      // The agent made no commit of its own: the lane holds lanes' one commit, no rev-list.
      ...(before === record.startCommit ? { commits: committed ? [commit] : [] } : {}),
    });
    const merge = await mergeInto(prepared.git, {
      target: integration.branch,
      source,
      ...(before === record.startCommit ? { descendsFrom: record.startCommit } : {}),
      message: `Merge lanes task ${id}: ${task.title}`,
    });
    if (!merge.ok) {
      return failed({
        reason: "conflict",
        detail: `merge conflict in ${merge.conflicts.join(", ")}; the branch ${record.branch} is kept for you`,
        retryable: false,
      });
    }
    record.mergeCommit = merge.commit;
    integration.head = merge.commit;
    ledger.emit({ type: "task_merged", taskId: id, commit: merge.commit });
    return { kind: "merged", lane };
  } catch (error) {
    resolveHead(undefined);
    return failed({ reason: "git", detail: errorDetail(error), retryable: false });
  }
}

function failed(failure: AttemptFailure): LandingOutcome {
  return { kind: "failed", failure };
}

/** The verify command as a process of the task: recorded in run.json while it lives. */
async function verify(
  ctx: LandingContext,
  runtime: TaskRuntime,
  attempt: number,
  lane: string,
  signal: AbortSignal,
) {
  const { prepared, ledger, groups } = ctx;
  const { id, record } = runtime;
  const startedAt = Date.now();
  return runVerify(prepared.settings.verify, {
    lane,
    env: { LANES_RUN_ID: prepared.runId, LANES_TASK_ID: id, LANES_WORKTREE: lane },
    logPath: logPath(ledger.dir, id, "verify", attempt),
    timeoutMs: prepared.timeoutMs,
    graceMs: prepared.graceMs,
    signal,
    onSpawn: (pgid) => {
      groups.add(pgid);
      record.verify = { pgid, startedAt };
      ledger.save();
    },
    onExit: (pgid) => {
      groups.delete(pgid);
      record.verify = undefined;
      ledger.save();
    },
  });
}

/** An error that fails a task, as its detail: the message and, for lanes' own, what to do. */
export function errorDetail(error: unknown): string {
  if (error instanceof LanesError)
    return error.hint ? `${error.message} (${error.hint})` : error.message;
  return error instanceof Error ? error.message : String(error);
}
