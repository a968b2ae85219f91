/**
 * lanes' one commit of what an agent left, with the task's `status: done` record folded into it
 * when nothing can fail between that commit and the merge but the merge itself (no verify
 * command): one `git commit` on the path from "agent exited" to "merged" instead of two. With a
 * verify command the record waits for verify to pass (task-records.ts `recordDone`), so that a
 * lane that fails verify never says done.
 *
 * Whether the agent changed anything is read from `git add -A -v` (what it staged) and the lane's
 * HEAD (commits of its own), so that the record is written only into work that will be merged;
 * only when both say nothing is git asked whether the agent staged changes itself.
 */
import { commitStaged, stageAll, stagedChanges } from "../git/lane-commit.js";
import type { Git } from "../git/runner.js";
import type { StatusRecord } from "../tasks/write-back.js";
import { type DoneTask, doneRecord, recordInLane, recordOnLanding } from "./task-records.js";

export type LaneCommit =
  | { kind: "no_changes" }
  | {
      kind: "committed";
      /** The lane's head afterwards. */
      commit: string;
      /** The agent's own last commit, or the lane's start. */
      before: string;
      committed: boolean;
      /** The done record is in `commit` (or kept for the file on disk): no record commit follows. */
      recorded: boolean;
    };

export async function commitLane(
  git: Git,
  task: DoneTask,
  opts: {
    message: string;
    /** Paths lanes itself put in the lane, never committed. */
    exclude: readonly string[];
    /** Fold the done record into this commit. */
    withRecord: boolean;
  },
): Promise<LaneCommit> {
  const { lane, startCommit } = task;
  const { before, staged } = await stageAll(git, lane, opts.exclude);
  if (!opts.withRecord) {
    const made = await commitStaged(git, lane, opts.message, before);
    if (made.commit === startCommit) return { kind: "no_changes" };
    return { kind: "committed", ...made, before, recorded: false };
  }
  const agentCommitted = before !== startCommit;
  if (!agentCommitted && !staged && !(await stagedChanges(git, lane)))
    return { kind: "no_changes" };
  // The agent's own commits; lanes' commit, which holds this record, cannot name itself.
  const record: StatusRecord = await doneRecord(git, task, before, agentCommitted ? undefined : []);
  const rides = await recordInLane(git, task, record);
  const made = await commitStaged(git, lane, opts.message, before, rides ? [task.file] : []);
  if (!rides) await recordOnLanding(git, task, record, made.commit);
  return { kind: "committed", ...made, before, recorded: true };
}
