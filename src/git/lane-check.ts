// What an agent can do to its own lane that lanes must not commit or merge over: delete the
// worktree, or switch it to another branch. Read from the worktree's files, without a git process.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";

/** Why the lane at `lane` is no longer `branch`'s worktree, or undefined when it still is. */
export async function laneProblem(lane: string, branch: string): Promise<string | undefined> {
  const dotGit = await readFile(path.join(lane, ".git"), "utf8").catch(() => undefined);
  if (dotGit === undefined) {
    const there = await stat(lane).then(
      () => true,
      () => false,
    );
    return there
      ? `the worktree ${lane} lost its .git file (the agent removed it); nothing was committed or merged`
      : `the agent deleted its worktree ${lane}; nothing was committed or merged`;
  }
  const gitdir = /^gitdir: (.+)$/m.exec(dotGit)?.[1]?.trim();
  const head = gitdir
    ? await readFile(path.resolve(lane, gitdir, "HEAD"), "utf8").catch(() => undefined)
    : undefined;
  if (head === undefined) {
    return `the worktree ${lane} is no longer a worktree of the repository (the agent changed its .git); nothing was committed or merged`;
  }
  const ref = /^ref: (\S+)/.exec(head.trim())?.[1];
  if (ref === `refs/heads/${branch}`) return undefined;
  const now = ref
    ? `branch ${ref.replace(/^refs\/heads\//, "")}`
    : `a detached HEAD at ${head.trim().slice(0, 7)}`;
  return `the agent switched its worktree ${lane} from ${branch} to ${now}; lanes merges only ${branch}: nothing was committed or merged`;
}
