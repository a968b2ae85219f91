/**
 * Expands a `lane.copy`/`lane.link` glob against the repository's folder, since Node 20 has no
 * `fs.glob`. Walks only into folders where the pattern can still match (so a pattern
 * "packages/<star>/node_modules" looks at packages/<name> and no deeper) and stops at the first
 * match on a branch: "<globstar>/node_modules" yields node_modules, not the one inside it.
 * Symlinked folders are matched but never walked into.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { compileGlob } from "../glob/match.js";
import { isSkippedFolder } from "./inside.js";

/** Paths relative to `realRoot`, `/`-separated, sorted. */
export async function expandGlob(realRoot: string, pattern: string): Promise<string[]> {
  const glob = compileGlob(pattern);
  const found: string[] = [];
  const visit = async (dirRel: string): Promise<void> => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(path.join(realRoot, dirRel), { withFileTypes: true });
    } catch {
      return; // unreadable or vanished while walking: nothing to take from it
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const rel = dirRel === "" ? entry.name : `${dirRel}/${entry.name}`;
      if (isSkippedFolder(rel)) continue;
      if (glob.matches(rel)) {
        found.push(rel);
      } else if (entry.isDirectory() && glob.mayMatchUnder(rel)) {
        await visit(rel);
      }
    }
  };
  await visit("");
  return found;
}
