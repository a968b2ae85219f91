/**
 * Where git keeps a linked worktree's record (`<common dir>/worktrees/<name>`), read from the
 * worktree's `.git` file without a git process: the pool moves worktrees by it, sparse lanes write
 * their cone into it, and lane removal and `lanes clean` recognise a lane git forgot by it.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

/** The record's folder, or undefined when `worktree` has no `.git` file naming one. */
export async function worktreeRecord(worktree: string): Promise<string | undefined> {
  const dotGit = await readFile(path.join(worktree, ".git"), "utf8").catch(() => undefined);
  const gitdir = dotGit?.match(/^gitdir: (.+)$/m)?.[1]?.trim();
  if (!gitdir) return undefined;
  const record = path.resolve(worktree, gitdir);
  return path.basename(path.dirname(record)) === "worktrees" ? record : undefined;
}
