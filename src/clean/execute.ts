// Carries out a clean plan, item by item: one item that cannot go does not stop the rest.
import { rm, rmdir } from "node:fs/promises";
import path from "node:path";
import { DEFAULT_SETTINGS } from "../config/schema.js";
import { POOL_DIR } from "../git/pool.js";
import type { Git } from "../git/runner.js";
import { dropLaneFolder, listWorktrees, prune, removeLane } from "../git/worktrees.js";
import { endLeftovers } from "../run/leftovers.js";
import { RUNS_DIR, runStatePath } from "../state/layout.js";
import { readRunState } from "../state/run-state.js";
import { isInside } from "./paths.js";
import type { CleanAction, CleanPlan } from "./plan.js";
import type { LaneTeardown } from "./teardown.js";

export interface CleanReport {
  done: CleanAction[];
  failed: { action: CleanAction; error: string }[];
  freedBytes: number;
  pruned: boolean;
  /** What went wrong without stopping a removal (a lane's failed teardown). */
  warnings: string[];
}

/** Carries out a plan's actions (and, when confirmed, its unmerged part), item by item. */
export async function executeClean(
  git: Git,
  repoRoot: string,
  plan: CleanPlan,
  actions: CleanAction[],
  teardown?: LaneTeardown,
): Promise<CleanReport> {
  const report: CleanReport = {
    done: [],
    failed: [],
    freedBytes: 0,
    pruned: false,
    warnings: [],
  };
  const attempt = async (action: CleanAction, work: () => Promise<void>) => {
    try {
      await work();
      report.done.push(action);
      if ("bytes" in action) report.freedBytes += action.bytes;
    } catch (error) {
      report.failed.push({ action, error: (error as Error).message });
    }
  };
  // Processes first: an orphaned agent would go on writing into the lane being removed.
  for (const action of actions) {
    if (action.kind !== "processes") continue;
    await attempt(action, async () => {
      const state = await readRunState(runStatePath(repoRoot, action.runId));
      await endLeftovers(state, DEFAULT_SETTINGS.gracePeriodMs);
    });
  }
  for (const action of actions) {
    if (action.kind !== "worktree") continue;
    if (action.trash) {
      await attempt(action, async () => {
        const roots = action.within ? [action.within] : plan.roots;
        const root = roots.find((r) => isInside(r, action.path));
        if (!root) throw new Error(`${action.path} is not inside a worktree folder of lanes`);
        // Renamed to trash first (dropLaneFolder): a pooled worktree a live run takes meanwhile
        // is either taken whole or deleted whole.
        await dropLaneFolder(root, action.path);
      });
      continue;
    }
    // removeLane checks again that the path is a worktree or a leftover lane of this repository.
    await attempt(action, async () => {
      const failed = await teardown?.(action.path);
      if (failed) report.warnings.push(`lane.teardown failed in ${action.path}: ${failed}`);
      await removeLane(git, action.path, { force: action.force });
    });
  }
  if (plan.prune) {
    await prune(git);
    report.pruned = true;
  }
  for (const root of plan.roots) {
    await rmdir(path.join(root, POOL_DIR)).catch(() => {}); // only when empty
    await rmdir(root).catch(() => {}); // only when empty
    if (path.basename(path.dirname(root)) === ".lanes-worktrees") {
      await rmdir(path.dirname(root)).catch(() => {});
    }
  }
  const checkedOut = new Set((await listWorktrees(git)).map((wt) => wt.branch).filter(Boolean));
  for (const action of actions) {
    if (action.kind !== "branch") continue;
    await attempt(action, async () => {
      if (checkedOut.has(action.name)) throw new Error(`${action.name} is checked out`);
      // Deleted only if it still points where it was judged: a moved branch is not ours to drop.
      await git.exclusive(() =>
        git.run([
          "update-ref",
          "-m",
          "lanes clean",
          "-d",
          `refs/heads/${action.name}`,
          action.commit,
        ]),
      );
    });
  }
  const runsDir = path.join(repoRoot, RUNS_DIR);
  for (const action of actions) {
    if (action.kind !== "run") continue;
    await attempt(action, async () => {
      if (!isInside(runsDir, action.dir)) throw new Error(`${action.dir} is not inside ${runsDir}`);
      await rm(action.dir, { recursive: true, force: true });
    });
  }
  return report;
}
