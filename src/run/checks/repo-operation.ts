/**
 * A repository in the middle of a merge, rebase, cherry-pick, revert or bisect is refused before
 * anything starts: lanes works from HEAD, which then points at something half-made (a rebase's
 * detached step, a bisect's probe), and `--land` would move a branch the user is still working on.
 * git marks each operation with a file or folder in the git directory; `--git-path` finds it in a
 * linked worktree too, where those markers live in the worktree's own git directory.
 */
import { access } from "node:fs/promises";
import path from "node:path";
import { LanesError } from "../../errors.js";
import type { Git } from "../../git/runner.js";

interface Operation {
  marker: string;
  what: string;
  todo: string;
}

// Rebase first: a rebase that stops on a conflict also leaves the markers of the pick it stopped on.
const OPERATIONS: Operation[] = [
  {
    marker: "rebase-merge",
    what: "a rebase",
    todo: "finish it (git rebase --continue) or give it up (git rebase --abort)",
  },
  {
    marker: "rebase-apply",
    what: "a rebase or git am",
    todo: "finish it (git rebase --continue, git am --continue) or give it up (git rebase --abort, git am --abort)",
  },
  {
    marker: "MERGE_HEAD",
    what: "a merge",
    todo: "finish it (resolve, then git commit) or give it up (git merge --abort)",
  },
  {
    marker: "CHERRY_PICK_HEAD",
    what: "a cherry-pick",
    todo: "finish it (git cherry-pick --continue) or give it up (git cherry-pick --abort)",
  },
  {
    marker: "REVERT_HEAD",
    what: "a revert",
    todo: "finish it (git revert --continue) or give it up (git revert --abort)",
  },
  {
    marker: "BISECT_LOG",
    what: "a bisect",
    todo: "end it with git bisect reset",
  },
];

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

export async function checkNoOperationInProgress(git: Git, repoRoot: string): Promise<void> {
  const args = ["rev-parse", ...OPERATIONS.flatMap(({ marker }) => ["--git-path", marker])];
  const paths = (await git.run(args)).stdout.split("\n");
  for (const [index, operation] of OPERATIONS.entries()) {
    const marker = path.resolve(repoRoot, paths[index] ?? "");
    if (!(await exists(marker))) continue;
    throw new LanesError(
      "E_GIT",
      `${repoRoot} is in the middle of ${operation.what} (${path.relative(repoRoot, marker)} exists)`,
      { hint: `${operation.todo}, then run lanes again` },
    );
  }
}
