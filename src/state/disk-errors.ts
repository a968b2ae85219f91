/**
 * Saying what a failed write means: "the disk holding <path> is full" rather than git's
 * `unable to write file big.txt`, or a bare ENOSPC. Used where a run goes on or stops after a
 * write failed (run.json, a lane's checkout, a commit), so the user knows what to free.
 */
import { statfsSync } from "node:fs";
import path from "node:path";

/** Why a write failed, in words, with the code: `the disk is full (ENOSPC)`. */
export function writeFailureText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === "ENOSPC" || code === "EDQUOT"
      ? "the disk is full"
      : code === "EROFS"
        ? "the file system is read-only"
        : code === "EACCES" || code === "EPERM"
          ? "it is not writable"
          : code === "ENOENT"
            ? "its folder is gone"
            : ((error as Error | undefined)?.message ?? String(error));
  return code ? `${why} (${code})` : why;
}

/** What a program says when a write failed for want of room (git says no more than this). */
const WRITE_FAILED =
  /no space left on device|ENOSPC|disk quota exceeded|unable to write|unable to create|short write|write error|could not write/i;

/** Below this much free room a disk counts as full: what a failed write leaves of a small disk. */
const NEARLY_NOTHING = 64 * 1024;

/**
 * When `detail` reads like a failed write and the disk holding one of `paths` (checked in order)
 * has no room left, `the disk holding <path> is full (<free> free): <detail>`; else undefined.
 */
export function diskFullDetail(detail: string, paths: readonly string[]): string | undefined {
  if (!WRITE_FAILED.test(detail)) return undefined;
  for (const candidate of paths) {
    const free = freeBytes(candidate);
    if (free !== undefined && free < NEARLY_NOTHING) {
      return `the disk holding ${candidate} is full (${free} bytes free): ${detail}`;
    }
  }
  return undefined;
}

/** Free bytes for an unprivileged writer on the disk holding `target` (or its nearest parent). */
function freeBytes(target: string): number | undefined {
  for (let at = target; ; at = path.dirname(at)) {
    try {
      const stats = statfsSync(at);
      return stats.bavail * stats.bsize;
    } catch {
      if (path.dirname(at) === at) return undefined;
    }
  }
}
