import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { commitFiles, commitPaths } from "../git/merge.js";
import type { Git } from "../git/runner.js";
import { withStatus } from "../tasks/write-back.js";
import type { FailureReason } from "./events.js";

/**
 * Writes `status: done` (with completed_at, the integration branch and the lane's commits) into
 * the task file as the lane's last commit, so that the merge carries the record and landing the
 * branch lands it; the next plan skips the task. Only where the task file is in the repository.
 * Returns the lane's head.
 */
export async function recordDone(
  git: Git,
  task: {
    id: string;
    lane: string;
    file: string;
    startCommit: string;
    commit: string;
    integrationBranch: string;
    runId: string;
  },
): Promise<string> {
  const file = path.join(task.lane, task.file);
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return task.commit;
  const commits = (await git.run(["rev-list", `${task.startCommit}..${task.commit}`])).stdout
    .split("\n")
    .filter(Boolean);
  await writeFile(
    file,
    withStatus(text, {
      status: "done",
      completed_at: new Date().toISOString(),
      branch: task.integrationBranch,
      commits,
      run: task.runId,
    }),
  );
  return commitPaths(git, task.lane, [task.file], `lanes: task ${task.id} done`);
}

/**
 * A failed task's record (`status: failed` and why) goes onto the integration branch as a commit
 * of its own. Returns the branch's new head, or undefined where the task file is not tracked.
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
  const file = task.file.split(path.sep).join("/");
  const tracked = await git.run(["cat-file", "-e", `${task.integrationBranch}:${file}`], {
    allowFail: true,
  });
  if (tracked.exitCode !== 0) return undefined;
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
