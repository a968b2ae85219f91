/**
 * Finds the task files below `.lanes/tasks` and refuses, up front, anything lanes could not read
 * or would later write through: the tasks folder being a file, a `*.md` that is a folder or a
 * dangling link, and a file or folder whose link leads outside the repository (status write-back
 * would otherwise rewrite a file elsewhere on the machine).
 */
import type { Dirent } from "node:fs";
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { LanesError } from "../errors.js";

/** True when `inner` is `outer` or lies below it (both absolute and resolved). */
export function isInside(outer: string, inner: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

function shown(repoRoot: string, file: string): string {
  return path.relative(repoRoot, file) || file;
}

/** Where a link leads, as the real path, refused when it leaves the repository or leads nowhere. */
async function linkTarget(repoRoot: string, realRoot: string, file: string): Promise<string> {
  let target: string;
  try {
    target = await realpath(file);
  } catch {
    throw new LanesError(
      "E_TASK_FILE",
      `${shown(repoRoot, file)}: the link leads nowhere (its target does not exist)`,
      { hint: "remove the link or point it at a task file inside the repository" },
    );
  }
  if (!isInside(realRoot, target)) {
    throw new LanesError(
      "E_TASK_FILE",
      `${shown(repoRoot, file)}: the link leads outside the repository, to ${target}`,
      {
        hint: "lanes writes each task's status back into its file: keep task files inside the repository (copy the file in instead of linking it)",
      },
    );
  }
  return target;
}

/**
 * Every `*.md` below `dir` (hidden files left out), sorted so that the order of tasks is stable.
 * Links inside the repository are followed, each real folder once.
 */
export async function findTaskFiles(repoRoot: string, dir: string): Promise<string[]> {
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const realRoot = await realpath(repoRoot);
  if (info.isSymbolicLink()) await linkTarget(repoRoot, realRoot, dir);
  if (!(await stat(dir)).isDirectory()) {
    throw new LanesError("E_TASK_FILE", `${shown(repoRoot, dir)} is not a folder`, {
      hint: "lanes reads its tasks from the folder .lanes/tasks (one <id>.md file per task): move the file away and run `lanes init`",
    });
  }
  const found: string[] = [];
  const visited = new Set<string>([await realpath(dir)]);
  const walk = async (folder: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      throw new LanesError(
        "E_TASK_FILE",
        `${shown(repoRoot, folder)}: cannot read the folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        { hint: "make the tasks folder readable" },
      );
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const full = path.join(folder, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await linkTarget(repoRoot, realRoot, full);
        const targetInfo = await stat(target);
        if (targetInfo.isDirectory()) {
          if (visited.has(target)) continue;
          visited.add(target);
        }
        isDirectory = targetInfo.isDirectory();
        isFile = targetInfo.isFile();
      }
      if (isDirectory && entry.name.endsWith(".md")) {
        throw new LanesError(
          "E_TASK_FILE",
          `${shown(repoRoot, full)} is a folder, where a task file was expected`,
          { hint: "rename the folder so that its name does not end in .md" },
        );
      }
      if (isDirectory) await walk(full);
      else if (entry.name.endsWith(".md")) {
        if (!isFile) {
          throw new LanesError("E_TASK_FILE", `${shown(repoRoot, full)} is not a regular file`, {
            hint: "task files are plain Markdown files: remove or rename it",
          });
        }
        found.push(full);
      }
    }
  };
  await walk(dir);
  return found.sort();
}
