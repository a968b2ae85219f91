/**
 * What `lanes demo` shows after the run: the integration branch's merges, and, for a kept demo,
 * the tidy-up of the worktree folder lanes emptied.
 */
import { execFileSync } from "node:child_process";
import { rmdir } from "node:fs/promises";
import path from "node:path";
import { worktreeRoot } from "../git/worktrees.js";
import { INTEGRATION_BRANCH_PREFIX } from "../names.js";

/** Prints the integration branch's merges; returns its name. */
export function showIntegrationBranch(
  dir: string,
  out: NodeJS.WriteStream,
  allMerged: boolean,
): string | undefined {
  const branch = execFileSync(
    "git",
    ["for-each-ref", "--format=%(refname:short)", `refs/heads/${INTEGRATION_BRANCH_PREFIX}`],
    { cwd: dir, encoding: "utf8" },
  )
    .trim()
    .split("\n")
    .at(-1);
  if (branch) {
    out.write(`\nThe integration branch ${branch}${allMerged ? ", every task merged in" : ""}:\n`);
    out.write(
      execFileSync("git", ["log", "--oneline", "--first-parent", "--decorate=no", branch], {
        cwd: dir,
        encoding: "utf8",
      }),
    );
  }
  return branch;
}

/**
 * A kept demo: lanes removed each lane, but the worktree folder next to the repository stays
 * behind empty. Only empty folders go; anything else is kept.
 */
export async function removeEmptyWorktreeFolder(dir: string, worktreeDir?: string): Promise<void> {
  const root = worktreeRoot(dir, worktreeDir);
  for (const folder of [root, path.dirname(root)]) {
    try {
      await rmdir(folder);
    } catch {
      return; // not empty, or not there: either way not ours to remove
    }
  }
}
