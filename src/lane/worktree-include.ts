/**
 * The root's `.worktreeinclude`, read the way Claude Code reads it: gitignore syntax, and a file
 * is copied when it matches a pattern and git ignores it, so that a tracked or merely untracked
 * file is never duplicated into a lane. git answers both questions (`ls-files --exclude-from`
 * for the patterns, `check-ignore` for the ignore rules): no gitignore matching is written here.
 */
import { access, realpath } from "node:fs/promises";
import path from "node:path";
import { show } from "../errors.js";
import type { Git } from "../git/runner.js";
import type { LaneFile } from "./files-check.js";
import { isSkippedFolder, isTakeable } from "./inside.js";

export const WORKTREE_INCLUDE = ".worktreeinclude";

export async function worktreeIncludeFiles(
  git: Git,
  realRoot: string,
  notes: string[],
): Promise<LaneFile[]> {
  const patterns = path.join(realRoot, WORKTREE_INCLUDE);
  if (!(await readable(patterns))) return [];
  const listed = await git.run([
    "ls-files",
    "-z",
    "--others",
    "--ignored",
    `--exclude-from=${patterns}`,
  ]);
  const candidates = listed.stdout
    .split("\0")
    .filter((file) => file !== "" && !underSkippedFolder(file));
  if (candidates.length === 0) return [];

  const checked = await git.run(["check-ignore", "-z", "--stdin"], {
    input: `${candidates.join("\0")}\0`,
    allowFail: true, // exit 1: none of them is ignored
  });
  const ignored = new Set(checked.stdout.split("\0").filter((file) => file !== ""));
  const files: LaneFile[] = [];
  for (const file of candidates) {
    if (!ignored.has(file)) {
      notes.push(
        `${WORKTREE_INCLUDE}: ${show(file)} is not ignored by git; not copied (only ignored files are)`,
      );
    } else if (!(await staysInside(realRoot, file))) {
      notes.push(`${WORKTREE_INCLUDE}: ${show(file)} leads outside the repository; not copied`);
    } else {
      files.push({ path: file, source: ".worktreeinclude", entry: file });
    }
  }
  return files;
}

function underSkippedFolder(file: string): boolean {
  const parts = file.split("/");
  return parts.some((_, i) => isSkippedFolder(parts.slice(0, i + 1).join("/")));
}

async function staysInside(realRoot: string, file: string): Promise<boolean> {
  try {
    return isTakeable(realRoot, await realpath(path.join(realRoot, file)));
  } catch {
    return false;
  }
}

async function readable(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
