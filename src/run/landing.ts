/**
 * Landing a task after its agent exited 0 and freed its slot: commit what the agent left, check
 * it changed something, verify, write the task's record, merge into the integration branch.
 * Each step is told (`task_step`); a later phase or check is one more step here.
 *
 * The git processes between "agent exited" and "merged", and why each must run:
 * - `add -A -v` (landing-commit.ts): what the agent left uncommitted becomes the lane's work,
 *   and its output says whether there was any (HEAD before and after is read from files,
 *   head-file.ts; `diff-index --cached` only when neither says the agent changed anything);
 * - `commit`: lanes' one commit of that work, with the task's record folded in when there is no
 *   verify command (else a second `commit` of the record after verify passed, task-records.ts);
 *   whether the task file is committed as on disk, so that the record may ride, costs one
 *   `ls-tree` per run (head-blob.ts);
 * - `rev-list`: only when the agent made commits of its own (the record lists them);
 * - `merge-tree`: skipped when the integration branch has not moved since the lane started and
 *   the lane is lanes' commit on its start (the lane's tree is the result);
 * - `commit-tree`: the merge commit, which no ref update can make;
 * - `update-ref` old->new: the compare-and-swap that makes a merge all or nothing (one for every
 *   lane the merge queue merges in one pass);
 * - alongside the commit, only while another lane is in flight: one `status` of this lane for the
 *   early overlap warning (overlap-watch.ts; `beforeMerge` waits for it, so that the warning
 *   comes before a conflict the merge would find).
 * The lane's worktree then goes back to the pool with no git process (git/pool.ts).
 */

import { laneHead } from "../git/head-file.js";
import { laneProblem } from "../git/lane-check.js";
import { mergeInto } from "../git/merge.js";
import { logPath } from "../state/layout.js";
import type { AttemptFailure } from "./attempt.js";
import type { ConflictResolver } from "./conflict-resolve.js";
import type { LandingStep } from "./events.js";
import { failureOfError } from "./failure-of-error.js";
import { commitLane } from "./landing-commit.js";
import type { Integration } from "./lane-pool.js";
import type { Ledger } from "./ledger.js";
import type { LiveGroups } from "./live-groups.js";
import type { PreparedRun } from "./prepare.js";
import type { RunLeftovers } from "./run-leftovers.js";
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
  leftovers: RunLeftovers;
  integration: Integration;
  /** What must be done before the lane's first merge (the overlap warning's look at it). */
  beforeMerge?: Promise<void>;
  /** With `conflicts: "agent"`: brings a lane that no longer merges up to date. */
  resolveConflict?: ConflictResolver;
  /** Verify already passed where the lane was made (a queue worker): not run again unless resolved. */
  verifiedElsewhere?: boolean;
}

/** A lane is brought up to date at most this often in one landing (others keep merging). */
const MAX_CATCH_UPS = 3;

export async function land(
  ctx: LandingContext,
  runtime: TaskRuntime,
  attempt: number,
  signal: AbortSignal,
): Promise<LandingOutcome> {
  const { prepared, ledger, integration } = ctx;
  const { id, record, task } = runtime;
  const lane = record.worktree!;
  const step = (name: LandingStep) => {
    // run.json says which phase the task is in (the quality loop's phases, then these).
    record.quality = { ...record.quality, phase: name };
    ledger.emit({ type: "task_step", taskId: id, step: name });
  };
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
    const doneTask = {
      id,
      lane,
      file: task.file,
      startCommit: record.startCommit!,
      integrationBranch: integration.branch,
      runId: prepared.runId,
    };
    const made = await commitLane(prepared.git, doneTask, {
      message: `${task.title}\n\nlanes task ${id} (run ${prepared.runId})`,
      exclude: record.keptOutOfCommits ?? [],
      // Without verify nothing but the merge comes between this commit and the task being done.
      withRecord: !prepared.settings.verify,
    });
    if (made.kind === "no_changes") {
      resolveHead(record.startCommit);
      return failed({
        reason: "no_changes",
        detail: "the agent exited 0 but changed no file",
        retryable: false,
      });
    }
    const { commit, committed, before } = made;
    resolveHead(commit);
    let resolved = false;
    for (let round = 0; ; round++) {
      const verifyHere = prepared.settings.verify && !(ctx.verifiedElsewhere && !resolved);
      if (verifyHere) step("verifying");
      const verified = verifyHere
        ? await verify(ctx, runtime, attempt, lane, signal)
        : ({ kind: "passed" } as const);
      if (verified.kind === "aborted") return { kind: "cancelled" };
      if (verified.kind === "failed") {
        // The work passed before it was brought up to date: the resolve broke it.
        if (!resolved) return verified;
        return failed({
          reason: "conflict",
          detail: `the resolved merge fails verify (${verified.failure.detail}); the branch ${record.branch} is kept for you`,
          retryable: false,
        });
      }
      await ctx.beforeMerge;
      step("merging");
      // Until a resolve merged the integration head into the lane, the lane is what lanes
      // committed on top of where it started: the merge may take the shortcuts that allows.
      const merge = await mergeLane(
        ctx,
        runtime,
        lane,
        resolved ? undefined : { before, committed, commit, recorded: made.recorded },
      );
      if (merge.ok) break;
      const why = `merge conflict in ${merge.conflicts.join(", ")}; the branch ${record.branch} is kept for you`;
      if (!ctx.resolveConflict || round >= MAX_CATCH_UPS) {
        return failed({ reason: "conflict", detail: why, retryable: false });
      }
      step("resolving");
      const upToDate = await ctx.resolveConflict(runtime, lane, integration.head, signal);
      if (upToDate.kind !== "updated") return upToDate;
      resolved = true;
    }
    record.mergeCommit = integration.head;
    ledger.emit({ type: "task_merged", taskId: id, commit: integration.head });
    return { kind: "merged", lane };
  } catch (error) {
    resolveHead(undefined);
    return failed(failureOfError(error, [prepared.worktreeRoot, prepared.repoRoot]));
  }
}

/** The task's record commit (unless lanes' commit holds it), then the lane into the integration branch. */
async function mergeLane(
  ctx: LandingContext,
  runtime: TaskRuntime,
  lane: string,
  /** What lanes' own commit saw, while the lane is still that commit on top of its start. */
  landed?: { before: string; committed: boolean; commit: string; recorded: boolean },
) {
  const { prepared, integration } = ctx;
  const { id, record, task } = runtime;
  const head = landed?.commit ?? (await laneHead(prepared.git, lane));
  // The agent made no commit of its own: the lane holds lanes' one commit, no rev-list.
  const ownCommitsOnly = landed !== undefined && landed.before === record.startCommit;
  const source = landed?.recorded
    ? head
    : await recordDone(prepared.git, {
        id,
        lane,
        file: task.file,
        startCommit: record.startCommit!,
        commit: head,
        integrationBranch: integration.branch,
        runId: prepared.runId,
        ...(ownCommitsOnly ? { commits: landed.committed ? [landed.commit] : [] } : {}),
      });
  const merge = await mergeInto(prepared.git, {
    target: integration.branch,
    source,
    ...(ownCommitsOnly ? { descendsFrom: record.startCommit! } : {}),
    message: `Merge lanes task ${id}: ${task.title}`,
  });
  if (merge.ok) integration.head = merge.commit;
  return merge;
}

function failed(failure: AttemptFailure): LandingOutcome {
  return { kind: "failed", failure };
}

/** The verify command as a process of the task: recorded in run.json while it lives. */
export async function verify(
  ctx: LandingContext,
  runtime: TaskRuntime,
  attempt: number,
  lane: string,
  signal: AbortSignal,
) {
  const { prepared, ledger, groups } = ctx;
  const { id, record } = runtime;
  const startedAt = Date.now();
  const leftovers = ctx.leftovers.attempt(id, "verify", attempt);
  return runVerify(prepared.settings.verify, {
    lane,
    env: {
      LANES_RUN_ID: prepared.runId,
      LANES_TASK_ID: id,
      LANES_WORKTREE: lane,
      ...runtime.laneEnv,
    },
    logPath: logPath(ledger.dir, id, "verify", attempt),
    timeoutMs: prepared.timeoutMs,
    graceMs: prepared.graceMs,
    signal,
    onSpawn: (pgid) => {
      leftovers.adopt(pgid);
      groups.add(pgid);
      record.verify = { pgid, startedAt };
      ledger.save();
    },
    onExit: (pgid) => {
      groups.delete(pgid);
      record.verify = undefined;
      ledger.save();
    },
    afterGroupEnded: leftovers.end,
  });
}

export { errorDetail } from "./failure-of-error.js";
