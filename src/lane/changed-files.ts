/**
 * What a lane has changed so far, for the early overlap warning (observed-overlap.ts): the files
 * that differ from the lane's base, committed or not, plus new untracked ones. Files lanes put
 * there itself (lane.copy, lane.link) are left out, or every lane would seem to touch them.
 */
import { Git } from "../git/runner.js";

/**
 * `base` is the commit the lane started from (not a branch that moves on as others merge), and
 * `exclude` the lane's linked and copied paths; the result is sorted, `/`-separated.
 */
export async function laneChangedFiles(
  lane: string,
  base: string,
  exclude: readonly string[] = [],
): Promise<string[]> {
  const git = new Git(lane);
  // Working tree against the base: the agent's commits and its uncommitted edits alike.
  const changed = await git.run(["diff", "--name-only", "-z", "--no-renames", base, "--"]);
  const untracked = await git.run(["ls-files", "-z", "--others", "--exclude-standard"]);
  const files = new Set(
    [...changed.stdout.split("\0"), ...untracked.stdout.split("\0")].filter((f) => f !== ""),
  );
  const isExcluded = (file: string) =>
    exclude.some((outer) => file === outer || file.startsWith(`${outer}/`));
  return [...files].filter((file) => !isExcluded(file)).sort();
}
