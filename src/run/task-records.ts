// A task's status record (`status: done` or `failed`, with when, where and why) goes where landing
// will carry it: into the lane, when the task file is committed as it is on disk; otherwise into
// the file on disk once the work lands (records-on-landing.ts), because lanes runs task files as
// they are on disk and the integration branch must not add or change a file the user has not
// committed (that would block `git merge --ff-only`).
import path from "node:path";
import { LanesError } from "../errors.js";
import { headHolds } from "../git/head-blob.js";
import { commitFiles, commitPaths } from "../git/merge.js";
import type { Git } from "../git/runner.js";
import { parseFrontMatter } from "../tasks/front-matter.js";
import {
  readPlainTaskFile,
  type StatusRecord,
  withStatus,
  writePlainTaskFile,
} from "../tasks/write-back.js";
import type { FailureReason } from "./events.js";
import { deferRecord, sha256 } from "./records-on-landing.js";

/** The task file's text in the main checkout when HEAD holds exactly that text, else undefined. */
async function committedAsOnDisk(git: Git, file: string): Promise<string | undefined> {
  const onDisk = await readPlainTaskFile(git.root, file);
  if (onDisk === undefined) return undefined;
  return (await headHolds(git, file, onDisk)) ? onDisk : undefined;
}

function gitPath(file: string): string {
  return file.split(path.sep).join("/");
}

export interface DoneTask {
  id: string;
  lane: string;
  file: string;
  startCommit: string;
  integrationBranch: string;
  runId: string;
}

/**
 * The `status: done` record (completed_at, the integration branch, the lane's commits from its
 * start to `commit`); `commits` when the caller knows them saves a rev-list.
 */
export async function doneRecord(
  git: Git,
  task: DoneTask,
  commit: string,
  commits?: string[],
): Promise<StatusRecord> {
  return {
    status: "done",
    completed_at: new Date().toISOString(),
    branch: task.integrationBranch,
    commits:
      commits ??
      (await git.run(["rev-list", `${task.startCommit}..${commit}`])).stdout
        .split("\n")
        .filter(Boolean),
    run: task.runId,
  };
}

/**
 * The lane's task file as the agent left it, when the record may ride in the lane (the task file
 * is committed as on disk in the main checkout); undefined when it must wait for landing instead.
 */
export async function taskFileInLane(git: Git, task: DoneTask): Promise<string | undefined> {
  const [inLane, onDisk] = await Promise.all([
    readPlainTaskFile(task.lane, task.file),
    committedAsOnDisk(git, task.file),
  ]);
  return onDisk === undefined ? undefined : inLane;
}

/** The lane's task file text (`inLane`, from `taskFileInLane`) with the record in its front matter. */
export function withRecordInLane(task: DoneTask, inLane: string, record: StatusRecord): string {
  const where = path.join(task.lane, task.file);
  readableInLane(inLane, where);
  return withStatus(inLane, record, where);
}

/**
 * Writes the task file with its record into the lane, for the caller to commit; false when the
 * file is gone or a symlink is on the way.
 */
export function writeRecordInLane(task: DoneTask, text: string): Promise<boolean> {
  // Committed at once: no fsync, a kill before the commit lands the task again anyway.
  return writePlainTaskFile(task.lane, task.file, text, { sync: false });
}

/** Keeps the record for the file on disk until `laneCommit` lands (records-on-landing.ts). */
export async function recordOnLanding(
  git: Git,
  task: DoneTask,
  record: StatusRecord,
  laneCommit: string,
): Promise<void> {
  const onDisk = await readPlainTaskFile(git.root, task.file);
  if (onDisk === undefined) return;
  await deferRecord(git, task.runId, {
    taskId: task.id,
    file: task.file,
    sha256: sha256(onDisk),
    laneCommit,
    record,
  });
}

/**
 * Records `status: done` after lanes' commit of the work (a lane that ran verify, or was brought
 * up to date): as the lane's last commit when the task file is committed as on disk, so that the
 * merge carries the record and landing the branch lands it; else kept for the file on disk until
 * the work lands. Either way the next plan skips the task once it has landed. Returns the lane's
 * head. (Without verify the record rides in lanes' one commit instead: landing-commit.ts.)
 */
export async function recordDone(
  git: Git,
  task: DoneTask & {
    commit: string;
    /** The lane's commits when the caller knows them (no agent commits): saves a rev-list. */
    commits?: string[];
  },
): Promise<string> {
  const record = await doneRecord(git, task, task.commit, task.commits);
  const inLane = await taskFileInLane(git, task);
  if (
    inLane !== undefined &&
    (await writeRecordInLane(task, withRecordInLane(task, inLane, record)))
  ) {
    return commitPaths(git, task.lane, [task.file], `lanes: task ${task.id} done`);
  }
  await recordOnLanding(git, task, record, task.commit);
  return task.commit;
}

/**
 * The lane's task file as the agent left it must still be a task file: the record goes into its
 * front matter. Else the task fails naming the file and the line, not with yaml's "Document with
 * errors cannot be stringified".
 */
function readableInLane(text: string, where: string): void {
  try {
    parseFrontMatter(text, where);
  } catch (error) {
    throw new LanesError(
      "E_TASK_FILE_BROKEN",
      `the agent broke its task file: ${(error as Error).message}`,
      {
        hint: "lanes writes the task's status into the front matter: the agent must leave .lanes/tasks alone",
        exitCode: 1,
        cause: error,
      },
    );
  }
}

/**
 * A failed task's record (`status: failed` and why) goes onto the integration branch as a commit
 * of its own. Returns the branch's new head, or undefined where the task file is not committed
 * as it is on disk (a failed task runs again next time anyway: no record is needed there).
 */
export async function recordFailed(
  git: Git,
  task: {
    id: string;
    file: string;
    integrationBranch: string;
    runId: string;
    reason: FailureReason;
    detail: string;
  },
): Promise<string | undefined> {
  const file = gitPath(task.file);
  const tracked = await git.run(["cat-file", "-e", `${task.integrationBranch}:${file}`], {
    allowFail: true,
  });
  if (tracked.exitCode !== 0) return undefined;
  if ((await committedAsOnDisk(git, task.file)) === undefined) return undefined;
  return commitFiles(git, {
    target: task.integrationBranch,
    message: `lanes: task ${task.id} failed (${task.reason})`,
    files: [
      {
        path: file,
        content: (current) =>
          withStatus(current ?? "", {
            status: "failed",
            reason: `${task.reason}: ${task.detail}`.slice(0, 500),
            run: task.runId,
          }),
      },
    ],
  });
}
