/**
 * lanes' one commit of what an agent left, with the task's `status: done` record folded into it
 * when nothing can fail between that commit and the merge but the merge itself (no verify
 * command): one `git commit` on the path from "agent exited" to "merged" instead of two. With a
 * verify command the record waits for verify to pass (task-records.ts `recordDone`), so that a
 * lane that fails verify never says done.
 *
 * Whether the agent changed anything is read from `git add -A -v` (what it staged) and the lane's
 * HEAD (commits of its own); only when both say nothing is git asked whether the agent staged
 * changes itself. The record is made while `add -A` runs and written once it has (`commit -i`
 * stages it), so that no record is written into a lane whose agent changed nothing.
 */
import { laneHead } from "../git/head-file.js";
import { addAll, commitStaged, stagedChanges } from "../git/lane-commit.js";
import type { Git } from "../git/runner.js";
import {
  type DoneTask,
  doneRecord,
  recordOnLanding,
  taskFileInLane,
  withRecordInLane,
  writeRecordInLane,
} from "./task-records.js";

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
  const before = await laneHead(git, lane);
  if (!opts.withRecord) {
    await addAll(git, lane, opts.exclude);
    const made = await commitStaged(git, lane, opts.message, before);
    if (made.commit === startCommit) return { kind: "no_changes" };
    return { kind: "committed", ...made, before, recorded: false };
  }
  const agentCommitted = before !== startCommit;
  const record = async () => {
    const inLane = await taskFileInLane(git, task);
    // The agent's own commits; lanes' commit, which holds this record, cannot name itself.
    const done = await doneRecord(git, task, before, agentCommitted ? undefined : []);
    return { done, text: inLane === undefined ? undefined : withRecordInLane(task, inLane, done) };
  };
  // The record is made while git stages, and written once it has: `add -A` must not see it.
  const [staged, made] = await Promise.all([addAll(git, lane, opts.exclude), record()]);
  if (!agentCommitted && !staged && !(await stagedChanges(git, lane))) {
    return { kind: "no_changes" };
  }
  const recorded = {
    done: made.done,
    written: made.text !== undefined && (await writeRecordInLane(task, made.text)),
  };
  const include = recorded.written ? [task.file] : [];
  const commit = await commitStaged(git, lane, opts.message, before, include);
  if (!recorded.written) await recordOnLanding(git, task, recorded.done, commit.commit);
  return { kind: "committed", ...commit, before, recorded: true };
}
