/**
 * Sparse lanes (`lane.sparse`): a lane in a monorepo checks out only its cone of folders, so that
 * a new lane writes a few hundred files instead of the whole tree. The cone is written into the
 * worktree's own git files *before* its checkout (a fresh lane between `worktree add
 * --no-checkout` and `reset --hard`, a pooled one before `checkout -f -B`), so the files outside
 * it are never written at all; git then keeps the lane sparse for the agent's own commands too.
 *
 * The same hook makes a pooled lane match its next task exactly: another cone replaces the
 * patterns (the checkout applies them), and a task without a cone gets back every file a sparse
 * task left out, so that a lane from the pool is as complete as a fresh one.
 */
import { mkdir, open, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { conePatterns } from "../lane/sparse-cone.js";
import type { Git } from "./runner.js";
import { worktreeRecord } from "./worktree-record.js";

/** Per-worktree config, so that one lane's cone is not every worktree's (the main checkout's). */
const WORKTREE_CONFIG = "config.worktree";
const PATTERNS = path.join("info", "sparse-checkout");

const SPARSE_CONFIG = "[core]\n\tsparseCheckout = true\n\tsparseCheckoutCone = true\n";

/**
 * Shapes the lane's next checkout: only `cone`'s folders (plus the files at the root and
 * directly in each parent folder, as cone mode has it), or the whole tree when `cone` is
 * undefined or empty. Call it after the worktree is registered and before its checkout.
 */
export async function shapeCheckout(
  git: Git,
  lane: string,
  cone: readonly string[] | undefined,
): Promise<void> {
  const admin = await worktreeRecord(lane);
  if (!admin) return;
  if (cone && cone.length > 0) {
    await enableWorktreeConfig(git);
    await mkdir(path.join(admin, "info"), { recursive: true });
    await writeFile(path.join(admin, PATTERNS), conePatterns(cone));
    await writeFile(path.join(admin, WORKTREE_CONFIG), SPARSE_CONFIG);
    return;
  }
  await rm(path.join(admin, WORKTREE_CONFIG), { force: true });
  if (await mayHoldSkippedFiles(admin)) await restoreWholeTree(git, lane, admin);
  await rm(path.join(admin, PATTERNS), { force: true });
}

/**
 * Whether the worktree's index may mark files as not checked out (skip-worktree): git writes
 * index version 2 unless an entry needs the extended flags that skip-worktree lives in, so a
 * version-2 index (or none: a fresh lane) is complete. A higher version (`index.version=4`, or a
 * sparse task's lane) is answered by restoring, which is right in every case.
 */
async function mayHoldSkippedFiles(admin: string): Promise<boolean> {
  const handle = await open(path.join(admin, "index"), "r").catch(() => undefined);
  if (!handle) return false;
  try {
    const header = Buffer.alloc(8);
    const { bytesRead } = await handle.read(header, 0, 8, 0);
    return bytesRead < 8 || header.readUInt32BE(4) !== 2;
  } finally {
    await handle.close();
  }
}

/**
 * Every file back, at the lane's current commit (the checkout that follows moves it to the new
 * base): a pattern that takes everything, applied once with sparse checkout switched on for this
 * one command, clears every skip-worktree mark and writes the files. `--reset` rather than `-m`:
 * a pooled lane's leftovers never stop it (`clean` removes them after).
 */
async function restoreWholeTree(git: Git, lane: string, admin: string): Promise<void> {
  await mkdir(path.join(admin, "info"), { recursive: true });
  await writeFile(path.join(admin, PATTERNS), "/*\n");
  await git.run(
    [
      "-c",
      "core.sparseCheckout=true",
      "-c",
      "core.sparseCheckoutCone=false",
      "read-tree",
      "--reset",
      "-u",
      "HEAD",
    ],
    { cwd: lane },
  );
}

/**
 * `extensions.worktreeConfig` in the repository's config, once per repository and process: the
 * only way git has to make `core.sparseCheckout` one worktree's setting. `git sparse-checkout`
 * sets it the same way when used in a worktree; other worktrees see no difference.
 */
const enabled = new Map<string, Promise<void>>();

function enableWorktreeConfig(git: Git): Promise<void> {
  let done = enabled.get(git.root);
  if (!done) {
    done = git.exclusive(async () => {
      const current = await git.run(["config", "--bool", "--get", "extensions.worktreeConfig"], {
        allowFail: true,
      });
      if (current.stdout.trim() !== "true") {
        await git.run(["config", "extensions.worktreeConfig", "true"]);
      }
    });
    done.catch(() => enabled.delete(git.root));
    enabled.set(git.root, done);
  }
  return done;
}
