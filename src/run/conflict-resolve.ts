/**
 * `conflicts: "agent"`: a lane that no longer merges is brought up to date in its own worktree.
 * lanes merges the integration head into it; where that conflicts, a resolve phase gets the
 * conflicted files, both sides' tasks and what each side changed, and must leave no conflict
 * marker. Landing then verifies and merges as usual. Whatever fails keeps the branch for a person.
 */
import { commitAll } from "../git/merge.js";
import { identityArgs } from "../git/repo.js";
import { conflictedFiles, describeMarkers, markersAfterResolve } from "../quality/conflicts.js";
import { gatherResolveInputs, type ResolveTask } from "../quality/resolve-inputs.js";
import { type AttemptContext, runAgentAttempt } from "./agent-attempt.js";
import type { AttemptFailure } from "./attempt.js";
import { nextRun, qualityOf } from "./phases.js";
import type { TaskRuntime } from "./task-runtime.js";

export type UpToDate =
  | { kind: "updated" }
  | { kind: "failed"; failure: AttemptFailure }
  | { kind: "cancelled" };

/** What landing needs to bring a lane up to date; the orchestrator builds it. */
export type ConflictResolver = (
  runtime: TaskRuntime,
  lane: string,
  incomingHead: string,
  signal: AbortSignal,
) => Promise<UpToDate>;

export function conflictResolver(ctx: AttemptContext, attempt: () => number): ConflictResolver {
  return (runtime, lane, incomingHead, signal) =>
    bringUpToDate(ctx, runtime, attempt(), lane, incomingHead, signal);
}

async function bringUpToDate(
  ctx: AttemptContext,
  runtime: TaskRuntime,
  attempt: number,
  lane: string,
  incomingHead: string,
  signal: AbortSignal,
): Promise<UpToDate> {
  const { git } = ctx.prepared;
  const { id, record } = runtime;
  const quality = qualityOf(runtime);
  const laneHead = (await git.run(["rev-parse", "HEAD"], { cwd: lane })).stdout.trim();
  const merge = await git.run(
    [
      ...(await identityArgs(git)),
      "merge",
      "--no-ff",
      "--no-edit",
      "-m",
      `lanes: merge the integration branch into ${record.branch} (task ${id})`,
      incomingHead,
    ],
    { cwd: lane, allowFail: true },
  );
  if (merge.exitCode === 0) return { kind: "updated" };
  const files = await conflictedFiles(git, lane);
  if (files.length === 0) {
    await abortMerge(ctx, lane);
    return conflict(
      `git merge of the integration branch into ${record.branch} failed: ${(merge.stderr || merge.stdout).trim()}`,
    );
  }
  const inputs = await gatherResolveInputs({
    git,
    worktree: lane,
    files,
    lane: { ref: laneHead, tasks: [resolveTask(runtime)] },
    incoming: { ref: incomingHead, tasks: incomingTasks(ctx, runtime) },
  });
  quality.phase = "resolve";
  const run = nextRun(runtime, "resolve", attempt);
  const model = ctx.prepared.settings.models?.resolve;
  const outcome = await runAgentAttempt(ctx, runtime, attempt, lane, signal, {
    phase: "resolve",
    run,
    prompt: { resolve: inputs },
    template: ctx.prepared.promptTemplates?.resolve,
    ...(model ? { model } : {}),
  });
  if (outcome.kind === "cancelled") {
    await abortMerge(ctx, lane);
    return outcome;
  }
  const where = `in ${files.join(", ")}`;
  if (outcome.kind === "failed") {
    await abortMerge(ctx, lane);
    return conflict(
      `merge conflict ${where}; the resolve phase failed (${outcome.failure.reason}: ${outcome.failure.detail}); the branch ${record.branch} is kept for you`,
    );
  }
  const markers = await markersAfterResolve(git, lane, { conflicted: files, since: laneHead });
  if (markers.length > 0) {
    await abortMerge(ctx, lane);
    return conflict(
      `merge conflict ${where}; the resolve left conflict markers (${describeMarkers(markers).replace(/\n/g, "; ")}); the branch ${record.branch} is kept for you`,
    );
  }
  // The resolve may have committed the merge itself; otherwise this concludes it.
  await commitAll(
    git,
    lane,
    `lanes: ${id} brought up to date, conflicts in ${files.join(", ")} resolved`,
  );
  return { kind: "updated" };
}

function conflict(detail: string): UpToDate {
  return { kind: "failed", failure: { reason: "conflict", detail, retryable: false } };
}

async function abortMerge(ctx: AttemptContext, lane: string): Promise<void> {
  await ctx.prepared.git.run(["merge", "--abort"], { cwd: lane, allowFail: true });
}

function resolveTask(runtime: TaskRuntime): ResolveTask {
  const { id, title, body } = runtime.task;
  return { id, title, body };
}

/** The run's tasks merged since this lane started: the other side of the conflict. */
function incomingTasks(ctx: AttemptContext, runtime: TaskRuntime): ResolveTask[] {
  const before = new Set(runtime.task.dependsOn);
  return ctx.ledger.state.order
    .filter((other) => other !== runtime.id && !before.has(other))
    .filter((other) => ctx.ledger.state.tasks[other]?.mergeCommit !== undefined)
    .flatMap((other) => {
      const task = ctx.prepared.tasks.get(other);
      return task ? [{ id: task.id, title: task.title, body: task.body }] : [];
    });
}
