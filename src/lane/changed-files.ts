/**
 * What a lane has changed so far, for the early overlap warning (observed-overlap.ts): the files
 * that differ from the lane's base, committed or not, plus new untracked ones. Files lanes put
 * there itself (lane.copy, lane.link) are left out, or every lane would seem to touch them.
 */
import { readHeadFile } from "../git/head-file.js";
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
  const listed =
    (await readHeadFile(lane)) === base ? await sinceHead(git) : await sinceBase(git, base);
  const isExcluded = (file: string) =>
    exclude.some((outer) => file === outer || file.startsWith(`${outer}/`));
  return [...new Set(listed)].filter((file) => file !== "" && !isExcluded(file)).sort();
}

/**
 * The lane still at its base (no commit of the agent's: the usual case): one `status` lists
 * changed, staged and untracked files alike, one git process instead of two.
 */
async function sinceHead(git: Git): Promise<string[]> {
  const { stdout } = await git.run([
    "status",
    "--porcelain=v1",
    "-z",
    "--untracked-files=all",
    "--no-renames",
  ]);
  return stdout.split("\0").map((entry) => entry.slice(3));
}

/** Working tree against the base: the agent's commits and its uncommitted edits alike. */
async function sinceBase(git: Git, base: string): Promise<string[]> {
  const changed = await git.run(["diff", "--name-only", "-z", "--no-renames", base, "--"]);
  const untracked = await git.run(["ls-files", "-z", "--others", "--exclude-standard"]);
  return [...changed.stdout.split("\0"), ...untracked.stdout.split("\0")];
}
