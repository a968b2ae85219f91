/**
 * The worktree pool: a merged lane's worktree is kept, registered with git and detached, in
 * `<root>/.pool/<slot>`, and the next lane is made from it by switching it to the new branch and
 * base (`checkout -f -B` + `clean -ffdx`, a fraction of a second) instead of `git worktree add`
 * (tens of seconds in a large repository). Pooled worktrees outlive the run, so the next run's
 * first lanes are ready at once; `lanes clean` removes them.
 *
 * Kill safety rests on one rule: a folder is in `.pool/` only once it is completely given back
 * (detached, git's per-worktree state removed): the rename into `.pool/` is the last step. Taking
 * one renames it out first, so no two lanes ever hold it, and then resets it completely before
 * the agent sees it; a kill during that leaves a folder at the task's lane path, which lanes
 * treats as any lane a killed run left. While a folder moves, its git record is locked, so that
 * no `git worktree prune` (lanes' or the user's) forgets it in the instant its record points at
 * the old place; `open()` finishes a move that a kill interrupted.
 */
import { randomBytes } from "node:crypto";
import { lstat, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { assertRefName } from "./repo.js";
import type { Git } from "./runner.js";
import { shapeCheckout } from "./sparse.js";
import { worktreeRecord } from "./worktree-record.js";
import { dropLaneFolder } from "./worktrees.js";

/** The pool's folder inside the worktree folder; task ids never start with ".". */
export const POOL_DIR = ".pool";

/** Marks a git worktree record as moving: the lock keeps `worktree prune` off it meanwhile. */
const MOVING = "lanes pool: moving";

/**
 * Per-worktree state that a previous task's git commands may leave in the worktree's record
 * (`.git/worktrees/<name>/`) and that a fresh worktree does not have: an unfinished merge,
 * rebase, cherry-pick, revert or bisect, stale locks of a killed git, per-worktree refs.
 */
const LEFTOVER_STATE = [
  "MERGE_HEAD",
  "MERGE_MSG",
  "MERGE_MODE",
  "MERGE_RR",
  "AUTO_MERGE",
  "ORIG_HEAD",
  "CHERRY_PICK_HEAD",
  "REVERT_HEAD",
  "BISECT_LOG",
  "BISECT_START",
  "BISECT_EXPECTED_REV",
  "BISECT_TERMS",
  "BISECT_NAMES",
  "BISECT_ANCESTORS_OK",
  "FETCH_HEAD",
  "SQUASH_MSG",
  "rebase-merge",
  "rebase-apply",
  "sequencer",
  "index.lock",
  "HEAD.lock",
  "refs",
  "config.worktree",
  "info",
];

export function poolFolder(root: string): string {
  return path.join(path.resolve(root), POOL_DIR);
}

export interface PoolOptions {
  /** The worktree folder lanes owns (worktreeRoot()). */
  root: string;
  /** How many free worktrees the pool keeps; 0 turns it off. */
  size: number;
  /**
   * Ignored paths a lane handed out keeps from the previous task (`git clean -e`): the hook for
   * lane setup, which alone knows what build output may be shared. Default: nothing is kept.
   */
  keepIgnored?: readonly string[];
}

/** A lane made from a pooled worktree. */
export interface PooledLane {
  path: string;
  branch: string;
  head: string;
}

export class WorktreePool {
  /** Slot names in `.pool/`, known free; read from disk once. */
  #free: Promise<string[]> | undefined;
  /** Worktrees on their way into the pool, counted against its size before they arrive. */
  #arriving = 0;

  constructor(
    private readonly git: Git,
    private readonly options: PoolOptions,
  ) {}

  get dir(): string {
    return poolFolder(this.options.root);
  }

  /**
   * Makes the lane at `lane` (which must not exist) from a free pooled worktree: on `branch`,
   * reset to `commit`, with no file, index entry or git state of the previous task. Undefined
   * when the pool has nothing to give; the caller then creates the lane afresh. `sparse`: the
   * lane's cone (src/git/sparse.ts), else every file.
   */
  async take(
    lane: string,
    branch: string,
    commit: string,
    sparse?: readonly string[],
  ): Promise<PooledLane | undefined> {
    if (this.options.size <= 0) return undefined;
    assertRefName(branch);
    const free = await this.open();
    if (await exists(lane)) return undefined;
    for (let slot = free.pop(); slot !== undefined; slot = free.pop()) {
      const from = path.join(this.dir, slot);
      const admin = await worktreeRecord(from);
      if (!admin || !(await exists(path.join(admin, "HEAD")))) {
        await dropLaneFolder(this.options.root, from).catch(() => {});
        continue;
      }
      // `lanes clean` may have deleted it this instant (renamed to trash): then the next one.
      if (
        !(await move(from, lane, admin).then(
          () => true,
          () => false,
        ))
      )
        continue;
      try {
        await this.reset(lane, branch, commit, sparse);
      } catch {
        // Not usable after all: it goes, and the lane is created afresh.
        await dropLaneFolder(this.options.root, lane).catch(() => {});
        return undefined;
      }
      return { path: lane, branch, head: commit };
    }
    return undefined;
  }

  /**
   * Takes back a merged lane's worktree, detached at `commit` (its branch can then be deleted),
   * unless the pool is full. False: the caller drops the folder as it would without a pool.
   */
  async give(lane: string, commit: string): Promise<boolean> {
    if (this.options.size <= 0) return false;
    const free = await this.open();
    if (free.length + this.#arriving >= this.options.size) return false;
    this.#arriving++;
    try {
      return await this.receive(lane, commit, free);
    } finally {
      this.#arriving--;
    }
  }

  private async receive(lane: string, commit: string, free: string[]): Promise<boolean> {
    const admin = await worktreeRecord(lane);
    if (!admin) return false;
    await Promise.all(
      LEFTOVER_STATE.map((name) => rm(path.join(admin, name), { recursive: true, force: true })),
    );
    // Detached by writing HEAD as git itself does (a lock file renamed over it): no process.
    await writeFile(path.join(admin, "HEAD.lock"), `${commit}\n`);
    await rename(path.join(admin, "HEAD.lock"), path.join(admin, "HEAD"));
    const slot = randomBytes(4).toString("hex");
    await mkdir(this.dir, { recursive: true });
    await move(lane, path.join(this.dir, slot), admin);
    free.push(slot);
    return true;
  }

  /**
   * The complete reset, done on every hand-out whatever state the worktree was given back in.
   * Remaining git processes, each needed: `checkout -f -B` moves the branch, index and files to
   * the new base in one process (hooks off, as `worktree add --no-checkout` runs none); `clean
   * -ffdx` removes untracked and ignored files the previous task left, nested repositories too.
   */
  private async reset(
    lane: string,
    branch: string,
    commit: string,
    sparse: readonly string[] | undefined,
  ): Promise<void> {
    const { git } = this;
    // Before the checkout, so that it writes only the cone, or every file a sparse task left out.
    await shapeCheckout(git, lane, sparse);
    await git.run(
      [
        "-c",
        "core.hooksPath=/dev/null",
        "checkout",
        "-q",
        "-f",
        "--no-track",
        "-B",
        branch,
        commit,
      ],
      { cwd: lane },
    );
    // With -x, `-e` patterns are the only ignore rules: what they match is kept.
    const keep = (this.options.keepIgnored ?? []).flatMap((pattern) => ["-e", pattern]);
    await git.run(["clean", "-q", "-ffdx", ...keep], { cwd: lane });
  }

  /** The free slots, read once; moves a kill interrupted are finished first. */
  private open(): Promise<string[]> {
    this.#free ??= (async () => {
      // A pool that cannot be read is an empty one: lanes are then created as without a pool.
      await finishInterruptedMoves(await this.git.lockKey()).catch(() => {});
      const names = await readdir(this.dir).catch(() => [] as string[]);
      return names.filter((name) => /^[0-9a-f]{8}$/.test(name));
    })().catch(() => []);
    return this.#free;
  }
}

/**
 * Moves a registered worktree on the same disk and points git's record at the new place, as
 * `git worktree move` would, without a process or the repository's queue. The record is locked
 * meanwhile; the lock names both places so that an interrupted move can be finished.
 */
async function move(from: string, to: string, admin: string): Promise<void> {
  const lock = path.join(admin, "locked");
  await writeFile(lock, `${MOVING}\n${from}\n${to}\n`);
  try {
    await rename(from, to);
  } catch (error) {
    await rm(lock, { force: true });
    throw error;
  }
  // Absolute, so that the worktree's link still holds from its new place.
  await writeFile(path.join(to, ".git"), `gitdir: ${admin}\n`);
  await writeFile(path.join(admin, "gitdir.lock"), `${path.join(to, ".git")}\n`);
  await rename(path.join(admin, "gitdir.lock"), path.join(admin, "gitdir"));
  await rm(lock, { force: true });
}

/** Points the records of moves a kill interrupted at wherever the folder ended up, unlocked. */
async function finishInterruptedMoves(commonDir: string): Promise<void> {
  const records = path.join(commonDir, "worktrees");
  for (const name of await readdir(records).catch(() => [] as string[])) {
    const admin = path.join(records, name);
    const lock = await readFile(path.join(admin, "locked"), "utf8").catch(() => "");
    const [reason, from, to] = lock.split("\n");
    if (reason !== MOVING || !from || !to) continue;
    const at = (await exists(path.join(to, ".git"))) ? to : from;
    if (await exists(path.join(at, ".git"))) {
      await writeFile(path.join(at, ".git"), `gitdir: ${admin}\n`);
      await writeFile(path.join(admin, "gitdir"), `${path.join(at, ".git")}\n`);
    }
    await rm(path.join(admin, "locked"), { force: true });
  }
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
}
