/**
 * The worktree folder, checked before anything starts. A string test on the path is not enough:
 * `..wt` is a folder inside the repository, `x/../y` and links lead anywhere. So the folder is
 * compared by its real path (through its nearest existing ancestor), must be a folder if it
 * exists, and must be makeable if it does not; root ignores permission bits, so makeable is
 * proven by making (and at once removing) a probe folder where the first missing one would go.
 */
import { randomBytes } from "node:crypto";
import { lstat, mkdir, realpath, rmdir, stat } from "node:fs/promises";
import path from "node:path";
import { LanesError } from "../../errors.js";
import { isInside } from "../../lane/inside.js";

const OUTSIDE_HINT =
  "worktrees must live outside the repository (test runners and watchers would see them); choose a folder elsewhere";

/** The deepest existing folder on the way to `target`, and the names below it still to make. */
async function nearestExisting(target: string): Promise<{ existing: string; missing: string[] }> {
  const missing: string[] = [];
  let current = target;
  for (;;) {
    try {
      await lstat(current);
      return { existing: current, missing };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
      const parent = path.dirname(current);
      if (parent === current) return { existing: current, missing };
      missing.unshift(path.basename(current));
      current = parent;
    }
  }
}

/**
 * Refuses a worktree root (`<worktreeDir>/<repo-name>`) inside the repository, one that is not a
 * folder, and one whose folders cannot be made. `where` names the setting (`worktreeDir in
 * .lanes/settings.json`, `LANES_WORKTREE_DIR in the environment`).
 */
export async function checkWorktreeRoot(
  repoRoot: string,
  root: string,
  where: string,
): Promise<void> {
  const realRoot = await realpath(repoRoot);
  const { existing, missing } = await nearestExisting(root);
  let realExisting: string;
  try {
    realExisting = await realpath(existing);
  } catch {
    throw new LanesError(
      "E_SETTINGS",
      `the worktree folder ${root} (${where}) goes through ${existing}, a link that leads nowhere`,
      { hint: "remove the link, or point worktreeDir at a folder outside the repository" },
    );
  }
  const real = path.join(realExisting, ...missing);
  if (real === realRoot || isInside(realRoot, real)) {
    const spelled = real === root ? "" : ` (really ${real})`;
    throw new LanesError(
      "E_SETTINGS",
      `the worktree folder ${root}${spelled} (${where}) is inside the repository ${repoRoot}`,
      { hint: OUTSIDE_HINT },
    );
  }
  const existingIsFolder = (await stat(realExisting)).isDirectory();
  if (!existingIsFolder) {
    const what = missing.length === 0 ? "the worktree folder" : "a folder on its path";
    throw new LanesError("E_SETTINGS", `${what} ${existing} (${where}) is a file, not a folder`, {
      hint: "move the file away, or set worktreeDir to a folder (lanes makes it when missing)",
    });
  }
  if (missing.length === 0) return;
  const probe = path.join(realExisting, `.lanes-probe-${randomBytes(4).toString("hex")}`);
  try {
    await mkdir(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new LanesError(
      "E_SETTINGS",
      `the worktree folder ${root} (${where}) cannot be made: ${existing} does not take new folders (${code})`,
      {
        hint: "choose a worktreeDir on a writable disk, or make the folder yourself with permissions lanes can use",
      },
    );
  }
  await rmdir(probe);
}
