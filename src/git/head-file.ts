/**
 * A lane's HEAD commit read from git's files (the worktree's HEAD, then the loose ref it names)
 * instead of a `git rev-parse HEAD` process: it is read twice on the path from "agent exited" to
 * "merged", where every process delays the dependent's start. Anything unusual (a packed ref, a
 * symbolic ref to a ref, a reftable repository) answers undefined, and the caller asks git.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { headCommit } from "./repo.js";
import type { Git } from "./runner.js";

const SHA = /^[0-9a-f]{40}$/;

/**
 * The commit HEAD names in `worktree` (a linked worktree, or a main checkout whose `.git` is a
 * folder), or undefined when the files do not say it plainly.
 */
export async function readHeadFile(worktree: string): Promise<string | undefined> {
  const read = (p: string) =>
    readFile(p, "utf8").then(
      (text) => text.trim(),
      () => undefined,
    );
  const dotGit = await read(path.join(worktree, ".git"));
  // A main checkout: `.git` is the folder itself (reading it as a file fails).
  const gitdir = dotGit === undefined ? ".git" : dotGit.match(/^gitdir: (.+)$/m)?.[1]?.trim();
  if (!gitdir) return undefined;
  const admin = path.resolve(worktree, gitdir);
  const head = await read(path.join(admin, "HEAD"));
  if (!head) return undefined;
  if (SHA.test(head)) return head;
  const ref = /^ref: (refs\/heads\/\S+)$/.exec(head)?.[1];
  if (!ref || ref.split("/").includes("..")) return undefined;
  const common = path.resolve(admin, (await read(path.join(admin, "commondir"))) ?? ".");
  const commit = await read(path.join(common, ref));
  return commit && SHA.test(commit) ? commit : undefined;
}

/** HEAD's commit in a worktree: from the files when they say it, else from git. */
export async function laneHead(git: Git, worktree: string): Promise<string> {
  return (await readHeadFile(worktree)) ?? headCommit(git, worktree);
}
