// Lanes on disk: where each task's worktree and branch live, and creating/removing them safely
// (inside the folder lanes owns, through the repository queue, recovering from killed runs).
import { randomBytes } from "node:crypto";
import { lstat, mkdir, readdir, realpath, rename, rm } from "node:fs/promises";
import path from "node:path";
import { LanesError } from "../errors.js";
import { assertLaneId } from "../names.js";
import { registerFreshLane, settleRegistrations } from "./register-lane.js";
import { assertRefName, branchExists, headCommit } from "./repo.js";
import type { Git } from "./runner.js";
import { shapeCheckout } from "./sparse.js";
import { worktreeRecord } from "./worktree-record.js";

/**
 * The folder lanes owns for a repository's worktrees: <parent of repo>/.lanes-worktrees/<repo>,
 * or <worktreeDir>/<repo> (worktreeDir resolved against the repository root) so that repositories
 * sharing one worktreeDir do not collide.
 */
export function worktreeRoot(repoRoot: string, worktreeDir?: string): string {
  const repo = path.resolve(repoRoot);
  const base = worktreeDir
    ? path.resolve(repo, worktreeDir)
    : path.join(path.dirname(repo), ".lanes-worktrees");
  return path.join(base, path.basename(repo));
}

/** A task's worktree: <root>/<task-id> (one run at a time holds the repository lock). */
export function lanePath(root: string, taskId: string): string {
  assertLaneId(taskId);
  const lane = path.join(path.resolve(root), taskId);
  assertInside(root, lane);
  return lane;
}

function isInside(root: string, target: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(target));
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

function assertInside(root: string, target: string): void {
  if (!isInside(root, target)) {
    throw new LanesError("E_GIT", `refusing to use ${target}: it is not inside ${root}`, {
      hint: "lanes only creates and removes worktrees inside its worktree folder",
      exitCode: 1,
    });
  }
}

/** The real path of p, or of its deepest existing ancestor with the rest appended. */
async function realish(p: string): Promise<string> {
  const resolved = path.resolve(p);
  try {
    return await realpath(resolved);
  } catch {
    const parent = path.dirname(resolved);
    if (parent === resolved) return resolved;
    return path.join(await realish(parent), path.basename(resolved));
  }
}

export interface WorktreeInfo {
  path: string;
  head: string | undefined;
  /** Short name (without refs/heads/); undefined when detached or bare. */
  branch: string | undefined;
  bare: boolean;
  locked: boolean;
  prunable: boolean;
}

export async function listWorktrees(git: Git): Promise<WorktreeInfo[]> {
  const { stdout } = await git.run(["worktree", "list", "--porcelain", "-z"]);
  const list: WorktreeInfo[] = [];
  let current: WorktreeInfo | undefined;
  for (const line of stdout.split("\0")) {
    const space = line.indexOf(" ");
    const key = space === -1 ? line : line.slice(0, space);
    const value = space === -1 ? "" : line.slice(space + 1);
    if (key === "worktree") {
      current = {
        path: value,
        head: undefined,
        branch: undefined,
        bare: false,
        locked: false,
        prunable: false,
      };
      list.push(current);
    } else if (current && key === "HEAD") current.head = value;
    else if (current && key === "branch") current.branch = value.replace(/^refs\/heads\//, "");
    else if (current && key === "bare") current.bare = true;
    else if (current && key === "locked") current.locked = true;
    else if (current && key === "prunable") current.prunable = true;
  }
  return list;
}

/** The registered worktree at p, compared by real path. */
async function findWorktree(git: Git, p: string): Promise<WorktreeInfo | undefined> {
  const wanted = await realish(p);
  for (const wt of await listWorktrees(git)) {
    if ((await realish(wt.path)) === wanted) return wt;
  }
  return undefined;
}

/** Whether dir is what a removed-but-not-deleted lane of this repository leaves behind. */
async function isLeftoverLane(git: Git, dir: string): Promise<boolean> {
  const record = await worktreeRecord(dir);
  if (!record) return false;
  return (await realish(path.dirname(path.dirname(record)))) === (await git.lockKey());
}

async function exists(p: string) {
  return lstat(p).then(
    (s) => s,
    () => undefined,
  );
}

/** Clears whatever a killed or earlier run left at a lane path; refuses anything else. */
async function clearLeftover(git: Git, lane: string): Promise<void> {
  const registered = await findWorktree(git, lane);
  const stats = await exists(lane);
  if (registered) {
    if (stats) await git.run(["worktree", "remove", "--force", "--force", registered.path]);
    await git.run(["worktree", "prune"]);
    return;
  }
  if (!stats) return;
  if (stats.isSymbolicLink()) {
    throw new LanesError("E_GIT", `refusing to use ${lane}: it is a symbolic link`, {
      hint: "remove it; lanes creates its worktrees itself",
      exitCode: 1,
    });
  }
  if (await isLeftoverLane(git, lane)) {
    await rm(lane, { recursive: true, force: true });
    await git.run(["worktree", "prune"]);
    return;
  }
  throw new LanesError("E_GIT", `${lane} already exists and is not a lane of ${git.root}`, {
    hint: "move or delete it, or set worktreeDir to another folder",
    exitCode: 1,
  });
}

export interface AddLaneOptions {
  /** The folder lanes owns (worktreeRoot()); path must be inside it. */
  root: string;
  path: string;
  branch: string;
  /** Commit (or revision) the new branch starts from. */
  startPoint: string;
  /**
   * When the branch already exists: "fail" (default) throws, "reset" moves it to startPoint
   * (dropping its commits), "reuse" checks it out as it is (resume) and ignores startPoint.
   */
  existingBranch?: "fail" | "reset" | "reuse";
  /** Folders of a sparse-checkout cone (`lane.sparse`): only these are checked out. */
  sparse?: readonly string[];
}

export interface Lane {
  path: string;
  branch: string;
  /** The commit the lane starts at. */
  head: string;
}

export async function addLane(git: Git, opts: AddLaneOptions): Promise<Lane> {
  const lane = path.resolve(opts.path);
  assertInside(opts.root, lane);
  assertRefName(opts.branch);
  // Whether the lane's branch starts at startPoint (else an existing branch was checked out).
  let created = true;
  const registered = await registerOutsideQueue(git, lane, opts);
  await git.exclusive(async () => {
    // Registered already: nothing to do here (an idle queue lets it through at once).
    if (registered) return;
    await mkdir(opts.root, { recursive: true });
    // A link at the lane path (or on the way to it) must not lead lanes out of its folder.
    const real = await realish(lane);
    if (!isInside(await realish(opts.root), real)) {
      throw new LanesError(
        "E_GIT",
        `refusing to use ${lane}: it leads to ${real}, which is not inside ${opts.root}`,
        { hint: "remove the link; lanes creates its worktrees itself", exitCode: 1 },
      );
    }
    const args = ["worktree", "add", "--quiet", "--no-checkout"];
    // The common case: a new branch at a free path, in one git process.
    if (!(await exists(lane))) {
      const add = [...args, "--no-track", "-b", opts.branch, lane, opts.startPoint];
      if ((await git.run(add, { allowFail: true })).exitCode === 0) return;
    }
    await clearLeftover(git, lane);
    if (!(await branchExists(git, opts.branch))) {
      args.push("--no-track", "-b", opts.branch, lane, opts.startPoint);
    } else if (opts.existingBranch === "reset") {
      args.push("--no-track", "-B", opts.branch, lane, opts.startPoint);
    } else if (opts.existingBranch === "reuse") {
      args.push(lane, opts.branch);
      created = false;
    } else {
      throw new LanesError("E_GIT", `branch ${opts.branch} already exists in ${git.root}`, {
        hint: `it is left from an earlier run: run lanes clean, or git branch -D ${opts.branch}`,
        exitCode: 1,
      });
    }
    await git.run(args);
  });
  // Registered without its files: the checkout, the slow part in a large repository, touches
  // only this worktree's own index and folder, so it runs outside the queue, lanes in parallel.
  if (opts.sparse) await shapeCheckout(git, lane, opts.sparse);
  // Registered outside the queue, the lane's branch is yet to be made: this makes it too.
  const at = registered ? [opts.startPoint, "--"] : [];
  await git.run(["reset", "--hard", "--quiet", ...at], { cwd: lane });
  const head =
    created && /^[0-9a-f]{40}$/.test(opts.startPoint)
      ? opts.startPoint
      : await headCommit(git, lane);
  return { path: lane, branch: opts.branch, head };
}

/**
 * The common case, a new branch at a free path inside the folder, registered with no queue and
 * no `git worktree add` (register-lane.ts), so that lanes are made in parallel. False: the
 * caller goes through the queue, which handles leftovers, existing branches and links.
 */
async function registerOutsideQueue(git: Git, lane: string, opts: AddLaneOptions) {
  // First, so that the queue's path below never meets a half-registered lane either.
  await settleRegistrations(git);
  if (await exists(lane)) return false;
  await mkdir(opts.root, { recursive: true });
  if (!isInside(await realish(opts.root), await realish(lane))) return false;
  return registerFreshLane(git, lane, opts.branch);
}

export interface RemoveLaneOptions {
  /** Also delete the lane's branch (the one checked out there, or `branch`). */
  deleteBranch?: boolean;
  /** Remove the worktree even when it holds uncommitted changes. */
  force?: boolean;
  /** The branch to delete when the worktree is already gone. */
  branch?: string;
}

/** Removes a lane's worktree (and branch); a lane that is already gone is not an error. */
export async function removeLane(
  git: Git,
  lanePathToRemove: string,
  opts: RemoveLaneOptions = {},
): Promise<void> {
  const lane = path.resolve(lanePathToRemove);
  await git.exclusive(async () => {
    const registered = await findWorktree(git, lane);
    const branch = opts.branch ?? registered?.branch;
    if (registered) {
      const force = opts.force ? ["--force", "--force"] : [];
      if (await exists(registered.path)) {
        await git.run(["worktree", "remove", ...force, registered.path]);
      }
      await git.run(["worktree", "prune"]);
    } else if (await exists(lane)) {
      if (!(await isLeftoverLane(git, lane))) {
        throw new LanesError(
          "E_GIT",
          `refusing to remove ${lane}: it is not a lane of ${git.root}`,
          {
            exitCode: 1,
          },
        );
      }
      await rm(lane, { recursive: true, force: true });
      await git.run(["worktree", "prune"]);
    }
    if (opts.deleteBranch && branch && (await branchExists(git, branch))) {
      assertRefName(branch);
      await git.run(["branch", "-D", branch]);
    }
  });
}

/** Forgets worktrees whose folders are gone. */
export async function prune(git: Git): Promise<void> {
  await git.exclusive(() => git.run(["worktree", "prune"]));
}

/**
 * A lane folder on its way out is first renamed to `<root>/.trash-<name>-<random>` (one atomic
 * rename on the same disk), then deleted. A kill at any instant therefore leaves either the
 * whole lane, which lanes recognises as its own, or a trash folder, which no task id can name
 * (ids never start with "."): never a half-deleted lane (its `.git` file gone first) that would
 * block the task's next run. `sweepTrash` deletes what a killed deletion left.
 */
const TRASH_PREFIX = ".trash-";

/** Whether a name in the worktree folder is a lane folder on its way out. */
export function isTrashName(name: string): boolean {
  return name.startsWith(TRASH_PREFIX);
}

/**
 * Deletes a merged lane's folder without git, so that nothing waits on the repository's queue;
 * `pruneLanes` later forgets the worktree in git and deletes the branches, in one go.
 */
export async function dropLaneFolder(root: string, lanePathToDrop: string): Promise<void> {
  const lane = path.resolve(lanePathToDrop);
  assertInside(root, lane);
  const trash = path.join(
    path.dirname(lane),
    `${TRASH_PREFIX}${path.basename(lane)}-${randomBytes(4).toString("hex")}`,
  );
  try {
    await rename(lane, trash);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  await rm(trash, { recursive: true, force: true });
}

/** Deletes the trash folders that a killed deletion left in the worktree folder. */
export async function sweepTrash(root: string): Promise<string[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const swept: string[] = [];
  for (const name of names.filter(isTrashName)) {
    const trash = path.join(root, name);
    assertInside(root, trash);
    await rm(trash, { recursive: true, force: true });
    swept.push(trash);
  }
  return swept;
}

/**
 * Forgets worktrees whose folders are gone and deletes the given lane branches; deletes what a
 * killed earlier deletion left in the worktree folder `root`.
 */
export async function pruneLanes(
  git: Git,
  branches: readonly string[],
  root?: string,
): Promise<void> {
  for (const branch of branches) assertRefName(branch);
  if (root) await sweepTrash(root);
  await git.exclusive(async () => {
    await git.run(["worktree", "prune"]);
    // One process for every branch; a branch already gone is no error.
    if (branches.length > 0) await git.run(["branch", "-D", ...branches], { allowFail: true });
  });
}
