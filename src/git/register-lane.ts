/**
 * Registers a new lane's worktree without `git worktree add`, so that lanes are made in parallel.
 *
 * `git worktree add` must run one at a time per repository (it reads the other worktrees' records
 * while it writes its own half-made one: parallel adds fail with "failed to read commondir"), and
 * `-b` costs it two more git processes of its own. With many short tasks the run then makes lanes
 * one after another, slower than its agents free slots (bench/slots.mjs). This writes the same
 * record git writes (`gitdir`, `commondir`, `HEAD` in `<common>/worktrees/<name>`, and the lane's
 * `.git` file), but assembled aside and renamed into place whole, so that no reader ever sees a
 * half-made record. Its HEAD names the new branch, not created yet: the caller's `reset --hard
 * <commit>` creates it and checks out the files in one process, the only one a fresh lane needs.
 *
 * Kill safety: the lane folder is assembled under a trash name (`sweepTrash` deletes it); the
 * record arrives locked (so that no `git worktree prune` drops it while its folder is still on
 * its way), then the folder is renamed into place, then the lock goes. `settleRegistrations`
 * completes or undoes what a kill interrupted. A lane registered but not checked out yet is a
 * leftover lane like any other (the queue's path clears it). Anything unexpected returns false,
 * with whatever was done undone, and the caller falls back to `git worktree add` under the queue.
 */
import { randomBytes } from "node:crypto";
import {
  lstat,
  mkdir,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  rmdir,
  writeFile,
} from "node:fs/promises";
import path from "node:path";
import type { Git } from "./runner.js";

/** The reason in a record's `locked` file while lanes registers it; the lane path follows. */
const REGISTERING = "lanes: registering";
/** Records are assembled here, in the common git dir, where no git command looks. */
const STAGING = "lanes-staging";

/** Common dirs whose interrupted registrations this process has already finished. */
const finished = new Map<string, Promise<void>>();

/**
 * Makes `lane` (which must not exist; its parent must) a worktree whose HEAD is the branch
 * `branch`, which must not exist yet either: the caller's `reset --hard <commit>` creates it. No
 * files yet. False when it could not, with nothing left.
 */
export async function registerFreshLane(git: Git, lane: string, branch: string): Promise<boolean> {
  await settleRegistrations(git);
  const common = await git.lockKey();
  // An existing branch (a killed run's, the user's) is the queue's business: it knows the rules.
  if (await refMayExist(common, `refs/heads/${branch}`)) return false;
  const parent = await realpath(path.dirname(lane)).catch(() => undefined);
  if (!parent) return false;
  const target = path.join(parent, path.basename(lane));
  const name = path.basename(lane);
  const suffix = randomBytes(4).toString("hex");
  const stagedLane = path.join(parent, `.trash-new-${name}-${suffix}`);
  const stagedRecord = path.join(common, STAGING, `${name}-${suffix}`);
  let record: string | undefined;
  try {
    await mkdir(path.join(common, "worktrees"), { recursive: true });
    await mkdir(stagedRecord, { recursive: true });
    await mkdir(stagedLane);
    record = await placeRecord(common, stagedRecord, name, target, branch);
    await writeFile(path.join(stagedLane, ".git"), `gitdir: ${record}\n`);
    // Refused when anything is at the lane path already (a non-empty folder, a file).
    await rename(stagedLane, target);
    await rm(path.join(record, "locked"), { force: true });
    return true;
  } catch {
    if (record) await rm(record, { recursive: true, force: true });
    await rm(stagedRecord, { recursive: true, force: true });
    await rm(stagedLane, { recursive: true, force: true });
    return false;
  }
}

/** Whether the ref exists as a loose file or in packed-refs (or cannot be ruled out). */
async function refMayExist(common: string, ref: string): Promise<boolean> {
  const loose = await lstat(path.join(common, ref)).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== "ENOENT",
  );
  if (loose) return true;
  const packed = await readFile(path.join(common, "packed-refs"), "utf8").catch(
    (error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? "" : undefined),
  );
  return packed === undefined || packed.includes(` ${ref}\n`);
}

/**
 * Writes the record aside, then renames it in under the lane's name (or the name with a random
 * suffix when taken, as git numbers them). Returns where it landed.
 */
async function placeRecord(
  common: string,
  staged: string,
  name: string,
  lane: string,
  branch: string,
): Promise<string> {
  await writeFile(path.join(staged, "locked"), `${REGISTERING}\n${lane}\n`);
  await writeFile(path.join(staged, "gitdir"), `${path.join(lane, ".git")}\n`);
  await writeFile(path.join(staged, "commondir"), "../..\n");
  await writeFile(path.join(staged, "HEAD"), `ref: refs/heads/${branch}\n`);
  for (let attempt = 0; ; attempt++) {
    const record = path.join(
      common,
      "worktrees",
      attempt === 0 ? name : `${name}${randomBytes(3).toString("hex")}`,
    );
    try {
      // rename() replaces an empty folder; a record is never empty, so a taken name throws.
      await rename(staged, record);
      return record;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== "ENOTEMPTY" && code !== "EEXIST") || attempt >= 3) throw error;
    }
  }
}

/**
 * The staging folder once no registration is under way (the run's end): removed when empty, so
 * that a run leaves nothing of its own in `.git`.
 */
export async function dropStaging(git: Git): Promise<void> {
  await rmdir(path.join(await git.lockKey(), STAGING)).catch(() => {});
}

/** Finishes what a killed run left of registrations, once per repository and process. */
export async function settleRegistrations(git: Git): Promise<void> {
  const common = await git.lockKey();
  let done = finished.get(common);
  if (!done) {
    done = finishRegistrations(common).catch(() => {});
    finished.set(common, done);
  }
  return done;
}

/**
 * What a kill left of registrations: a record whose lane folder arrived is unlocked (complete);
 * one whose folder never arrived is removed, and so is anything still being assembled.
 */
export async function finishRegistrations(common: string): Promise<void> {
  await rm(path.join(common, STAGING), { recursive: true, force: true });
  const records = path.join(common, "worktrees");
  for (const name of await readdir(records).catch(() => [] as string[])) {
    const record = path.join(records, name);
    const lock = await readFile(path.join(record, "locked"), "utf8").catch(() => "");
    const [reason, lane] = lock.split("\n");
    if (reason !== REGISTERING || !lane) continue;
    const dotGit = await readFile(path.join(lane, ".git"), "utf8").catch(() => "");
    if (dotGit.trim() === `gitdir: ${record}`)
      await rm(path.join(record, "locked"), { force: true });
    else await rm(record, { recursive: true, force: true });
  }
}
