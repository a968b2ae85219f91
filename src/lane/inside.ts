/**
 * Containment checks for lane files: lanes never copies or links from outside the repository
 * (nor from its .git folder), and never writes outside the lane, whatever a path or symlink says.
 */
import path from "node:path";

/** Whether `child` lies strictly inside `parent` (both absolute, already resolved). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/** Whether a resolved source may be taken: inside the repository and outside its .git folder. */
export function isTakeable(realRoot: string, realSource: string): boolean {
  const gitDir = path.join(realRoot, ".git");
  return isInside(realRoot, realSource) && realSource !== gitDir && !isInside(gitDir, realSource);
}

/** Folders a lane never takes anything from: git's own, and lanes' run logs. */
export function isSkippedFolder(rel: string): boolean {
  return rel === ".git" || rel.endsWith("/.git") || rel === ".lanes/runs";
}
