/**
 * Puts a checked plan (files-check.ts) into a new lane: symlinks to the checkout's folders,
 * copy-on-write copies of its files. Every destination is resolved and checked to stay inside
 * the lane, no write goes through a symlink, nothing already in the lane is overwritten, and a
 * source that changed since the check (gone, or now leading outside) is skipped with a note.
 * `COPYFILE_FICLONE` clones where the file system can (btrfs, XFS, APFS) and copies otherwise.
 */
import { constants } from "node:fs";
import { copyFile, lstat, mkdir, readdir, readlink, realpath, symlink } from "node:fs/promises";
import path from "node:path";
import { LanesError, show } from "../errors.js";
import { Git } from "../git/runner.js";
import type { LaneFile, LaneFilesPlan } from "./files-check.js";
import { isInside, isSkippedFolder, isTakeable } from "./inside.js";

export interface LaneFilesResult {
  /** Paths (relative to the lane) now linked to the checkout. */
  linked: string[];
  /** Paths now copied from it (a folder counts once). */
  copied: string[];
  /** What was skipped and why, the plan's notes included. */
  notes: string[];
  /**
   * Linked or copied paths that git does not ignore in the lane, which a commit of the lane's
   * work would pick up; a symlink escapes a folder-only rule like `node_modules/`, for one.
   */
  unignored: string[];
}

export async function prepareLaneFiles(
  plan: LaneFilesPlan,
  lane: string,
): Promise<LaneFilesResult> {
  const realLane = await realpath(lane).catch((error: unknown) => {
    throw new LanesError("E_IO", `The lane folder ${show(lane)} does not exist.`, {
      cause: error,
      exitCode: 1,
    });
  });
  const result: LaneFilesResult = { linked: [], copied: [], notes: [...plan.notes], unignored: [] };
  for (const file of plan.links) {
    const target = await checkedTarget(plan.root, realLane, file, result.notes);
    if (target === undefined) continue;
    try {
      const existing = await lstat(target.destination);
      if (existing.isSymbolicLink() && (await readlink(target.destination)) === target.source) {
        result.linked.push(file.path); // linked by an earlier attempt at this lane
      } else {
        result.notes.push(
          `${file.source}: ${show(file.path)} is already in the lane; left as it is`,
        );
      }
      continue;
    } catch {
      // Not there yet: link it.
    }
    const kind = (await lstat(target.source)).isDirectory() ? "dir" : "file";
    await guarded(file.path, () => symlink(target.source, target.destination, kind));
    result.linked.push(file.path);
  }
  for (const file of plan.copies) {
    const target = await checkedTarget(plan.root, realLane, file, result.notes);
    if (target === undefined) continue;
    if (await copyTree(plan.root, target.source, target.destination, file, result.notes, true)) {
      result.copied.push(file.path);
    }
  }
  result.unignored = await notIgnored(realLane, [...result.linked, ...result.copied]);
  for (const file of result.unignored) {
    result.notes.push(
      `${show(file)} is not ignored by git in the lane: keep it out of the lane's commits ` +
        `(a rule like "node_modules/" matches folders, not a symlink: write "node_modules")`,
    );
  }
  return result;
}

interface Target {
  source: string;
  destination: string;
}

/** The source (still there, still inside the repository) and a safe destination, or a note. */
async function checkedTarget(
  realRoot: string,
  realLane: string,
  file: LaneFile,
  notes: string[],
): Promise<Target | undefined> {
  const source = path.join(realRoot, file.path);
  let real: string;
  try {
    real = await realpath(source);
  } catch {
    notes.push(`${file.source}: ${show(file.path)} no longer exists in the repository; skipped`);
    return undefined;
  }
  if (!isTakeable(realRoot, real)) {
    notes.push(`${file.source}: ${show(file.path)} now leads outside the repository; skipped`);
    return undefined;
  }
  const destination = await laneDestination(realLane, file.path);
  if (typeof destination !== "string") {
    notes.push(`${file.source}: ${show(file.path)} ${destination.problem}; skipped`);
    return undefined;
  }
  return { source, destination };
}

/**
 * The path in the lane, with its parent folders created. Refuses a parent that is a symlink
 * (a linked node_modules, say): writing through it would write into the checkout.
 */
async function laneDestination(
  realLane: string,
  rel: string,
): Promise<string | { problem: string }> {
  const segments = rel.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) {
    return { problem: "is not a plain relative path" };
  }
  let current = realLane;
  for (const segment of segments.slice(0, -1)) {
    current = path.join(current, segment);
    try {
      const stats = await lstat(current);
      if (stats.isSymbolicLink()) {
        return {
          problem: `would be written through the symlink ${show(path.relative(realLane, current))}`,
        };
      }
      if (!stats.isDirectory()) {
        return {
          problem: `needs a folder where the lane has the file ${show(path.relative(realLane, current))}`,
        };
      }
    } catch {
      await guarded(rel, () => mkdir(current));
    }
  }
  const destination = path.join(current, segments.at(-1)!);
  return isInside(realLane, destination) ? destination : { problem: "would land outside the lane" };
}

/**
 * Copies a file or a folder. The top entry may be a symlink (checked to stay in the repository)
 * and is followed; inside a folder, a symlink is recreated when it is relative and stays inside
 * the repository, and skipped otherwise. Returns how many entries it wrote.
 */
async function copyTree(
  realRoot: string,
  source: string,
  destination: string,
  file: LaneFile,
  notes: string[],
  top: boolean,
): Promise<number> {
  const rel = path.relative(realRoot, source).split(path.sep).join("/");
  const stats = await lstat(source).catch(() => undefined);
  if (stats === undefined) {
    notes.push(`${file.source}: ${show(rel)} vanished while it was being copied; skipped`);
    return 0;
  }
  if (stats.isSymbolicLink() && !top) {
    const target = await readlink(source);
    const resolved = path.resolve(path.dirname(source), target);
    if (path.isAbsolute(target) || !isInside(realRoot, resolved)) {
      notes.push(
        `${file.source}: ${show(rel)} is a symlink leading outside the repository; skipped`,
      );
      return 0;
    }
    return guardedCopy(rel, notes, () => symlink(target, destination));
  }
  const real = top ? await realpath(source) : source;
  const followed = top ? await lstat(real) : stats;
  if (followed.isFile()) {
    return guardedCopy(rel, notes, () =>
      copyFile(real, destination, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL),
    );
  } else if (followed.isDirectory()) {
    let written = 0;
    try {
      await mkdir(destination);
      written = 1;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw ioError(rel, error);
      // A folder already there is filled in around what it holds; anything else is left alone.
      if (!(await lstat(destination)).isDirectory()) {
        notes.push(`${file.source}: ${show(rel)} is already in the lane; left as it is`);
        return 0;
      }
    }
    for (const name of (await readdir(real)).sort()) {
      if (isSkippedFolder(`${rel}/${name}`) || name === ".git") continue;
      written += await copyTree(
        realRoot,
        path.join(source, name),
        path.join(destination, name),
        file,
        notes,
        false,
      );
    }
    return written;
  }
  notes.push(`${file.source}: ${show(rel)} is not a file or folder; skipped`);
  return 0;
}

/** Runs a copy; an existing destination is a note (never overwritten), other failures throw. */
async function guardedCopy(
  rel: string,
  notes: string[],
  write: () => Promise<void>,
): Promise<number> {
  try {
    await write();
    return 1;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw ioError(rel, error);
    notes.push(`${show(rel)} is already in the lane; left as it is`);
    return 0;
  }
}

async function guarded(rel: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    throw ioError(rel, error);
  }
}

function ioError(rel: string, error: unknown): LanesError {
  return new LanesError(
    "E_IO",
    `Cannot put ${show(rel)} into the lane: ${(error as Error).message}`,
    {
      cause: error,
      hint: "Check that the worktree folder is writable and the disk is not full.",
      exitCode: 1,
    },
  );
}

/** Which of the lane's paths git does not ignore there (check-ignore prints the ignored ones). */
async function notIgnored(realLane: string, paths: string[]): Promise<string[]> {
  if (paths.length === 0) return [];
  const { stdout } = await new Git(realLane).run(["check-ignore", "-z", "--stdin"], {
    input: `${paths.join("\0")}\0`,
    allowFail: true,
  });
  const ignored = new Set(stdout.split("\0"));
  return paths.filter((p) => !ignored.has(p));
}
