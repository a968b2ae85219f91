/**
 * The run folder, checked before anything starts: lanes writes each run's state, events, prompts
 * and logs below `.lanes/runs`, so `.lanes` and `.lanes/runs` must be folders of the repository
 * (a link out of it would put all of that elsewhere on the machine), and the files lanes rewrites
 * there on every run (`.gitignore`, the lock) must be plain files, never links it would write
 * through.
 */
import { lstat, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { LanesError } from "../../errors.js";
import { isInside } from "../../lane/inside.js";
import { RUNS_DIR } from "../../state/layout.js";

const HINT =
  "lanes keeps each run's state and logs there: make it a folder inside the repository (remove the link or the file; lanes makes the folder); nothing was started";

async function lstatOrUndefined(file: string) {
  try {
    return await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function refuse(dir: string, why: string, hint = HINT): LanesError {
  return new LanesError("E_IO", `cannot write the run folder ${dir}: ${why}`, { hint });
}

/** `.lanes` and `.lanes/runs`: missing (lanes makes them), or folders that stay in the repository. */
async function checkFolder(realRoot: string, dir: string, runsDir: string): Promise<boolean> {
  const info = await lstatOrUndefined(dir);
  if (info === undefined) return false;
  const name = path.basename(dir);
  if (info.isSymbolicLink()) {
    let target: string;
    try {
      target = await realpath(dir);
    } catch {
      throw refuse(runsDir, `${name} is a link that leads nowhere`);
    }
    if (!isInside(realRoot, target)) {
      throw refuse(runsDir, `${name} is a link that leads outside the repository, to ${target}`);
    }
  }
  if (!(await stat(dir)).isDirectory()) {
    throw refuse(runsDir, `${name} is a file, where a folder should be`);
  }
  return true;
}

/** The files lanes rewrites in `.lanes/runs` on every run: absent, or plain files. */
async function checkOwnFile(runsDir: string, name: string): Promise<void> {
  const info = await lstatOrUndefined(path.join(runsDir, name));
  if (info === undefined || info.isFile()) return;
  const what = info.isSymbolicLink() ? "a link" : info.isDirectory() ? "a folder" : "not a file";
  throw refuse(
    runsDir,
    `${name} is ${what}, where lanes keeps a file of its own`,
    `remove ${path.join(runsDir, name)}: lanes writes it itself; nothing was started`,
  );
}

export async function checkRunFolder(repoRoot: string): Promise<void> {
  const realRoot = await realpath(repoRoot);
  const runsDir = path.join(repoRoot, RUNS_DIR);
  if (!(await checkFolder(realRoot, path.dirname(runsDir), runsDir))) return;
  if (!(await checkFolder(realRoot, runsDir, runsDir))) return;
  for (const name of [".gitignore", ".lock"]) await checkOwnFile(runsDir, name);
}
