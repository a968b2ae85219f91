/**
 * What a merge conflict leaves behind and what the `resolve` phase needs to fix it: the markers
 * still in files (a resolve that leaves one has failed), and the inputs of the resolve prompt —
 * the conflicted files, both tasks, and what each side changed since they parted.
 */
import { lstat, readFile } from "node:fs/promises";
import path from "node:path";
import type { Git } from "../git/runner.js";

export interface ConflictMarker {
  /** Relative to the worktree, as git names it. */
  file: string;
  /** 1-based. */
  line: number;
  text: string;
}

// Git's markers: seven characters at a line's start, then a space and a label or the line's end.
// `|||||||` is the base section of the diff3 style.
const MARKER = /^(?:<{7}|>{7}|\|{7})(?: |$)|^={7}$/;

/** Files git still reports as unmerged, relative to the worktree. */
export async function conflictedFiles(git: Git, worktree: string): Promise<string[]> {
  const { stdout } = await git.run(["diff", "--name-only", "--diff-filter=U", "-z"], {
    cwd: worktree,
  });
  return uniqueSorted(stdout.split("\0"));
}

/** Files the resolve changed or added since `since` (the merge's first parent), relative. */
export async function filesChangedSince(
  git: Git,
  worktree: string,
  since: string,
): Promise<string[]> {
  const tracked = await git.run(["diff", "--name-only", "--no-renames", "-z", since, "--"], {
    cwd: worktree,
  });
  const untracked = await git.run(["ls-files", "--others", "--exclude-standard", "-z"], {
    cwd: worktree,
  });
  return uniqueSorted([...tracked.stdout.split("\0"), ...untracked.stdout.split("\0")]);
}

/**
 * The conflict markers left in `files`. A file that is gone, a symlink (never followed out of the
 * worktree), a path that leaves the worktree or a binary file has none to report.
 */
export async function findConflictMarkers(
  worktree: string,
  files: readonly string[],
): Promise<ConflictMarker[]> {
  const found: ConflictMarker[] = [];
  for (const file of uniqueSorted(files)) {
    const full = path.resolve(worktree, file);
    const rel = path.relative(worktree, full);
    if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) continue;
    const stats = await lstat(full).catch(() => undefined);
    if (!stats?.isFile()) continue;
    const content = await readFile(full);
    if (content.includes(0)) continue;
    content
      .toString("utf8")
      .split(/\r?\n/)
      .forEach((text, index) => {
        if (MARKER.test(text)) found.push({ file, line: index + 1, text });
      });
  }
  return found;
}

/** One line per file: `src/a.ts: lines 3, 5, 9`, for the failure reason of a resolve. */
export function describeMarkers(markers: readonly ConflictMarker[]): string {
  const byFile = new Map<string, number[]>();
  for (const marker of markers)
    byFile.set(marker.file, [...(byFile.get(marker.file) ?? []), marker.line]);
  return [...byFile]
    .map(
      ([file, lines]) =>
        `${file}: conflict markers left on line${lines.length > 1 ? "s" : ""} ${lines.join(", ")}`,
    )
    .join("\n");
}

function uniqueSorted(names: readonly string[]): string[] {
  return [...new Set(names.filter((name) => name !== ""))].sort();
}

/**
 * The check after a resolve: markers in the files git reported as conflicted (even if the resolve
 * left them as they were on the lane) and in every file the resolve changed or added.
 */
export async function markersAfterResolve(
  git: Git,
  worktree: string,
  options: { conflicted: readonly string[]; since: string },
): Promise<ConflictMarker[]> {
  const changed = await filesChangedSince(git, worktree, options.since);
  return findConflictMarkers(worktree, [...options.conflicted, ...changed]);
}
