// What runs left behind, read from the disk and from git for `lanes clean`: run records, the
// folders in the recorded worktree folders (lanes' own, and what is not), and the lane branches
// with where each is merged. planClean (plan.ts) decides from these facts alone.
import type { Dirent } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import { LanesError } from "../errors.js";
import { POOL_DIR } from "../git/pool.js";
import { dirtyFiles } from "../git/repo.js";
import type { Git } from "../git/runner.js";
import { worktreeRecord } from "../git/worktree-record.js";
import { isTrashName, listWorktrees, type WorktreeInfo } from "../git/worktrees.js";
import { INTEGRATION_BRANCH_PREFIX } from "../names.js";
import { leftoversOf } from "../run/leftovers.js";
import { processesByEnv } from "../state/proc.js";
import { listRuns, lockedRunId } from "../state/runs.js";
import { isInside, realOr } from "./paths.js";
import type { BranchFact, CleanFacts, CleanPlanOptions, LaneFolder, RunFact } from "./plan.js";

/** Disk usage of a folder (blocks, as du counts them), without following links. */
export async function diskUsage(target: string): Promise<number> {
  let stats: import("node:fs").Stats;
  try {
    stats = await lstat(target);
  } catch {
    return 0;
  }
  const own = stats.blocks !== undefined ? stats.blocks * 512 : stats.size;
  if (!stats.isDirectory()) return own;
  let entries: string[];
  try {
    entries = await readdir(target);
  } catch {
    return own;
  }
  let total = own;
  for (const entry of entries) total += await diskUsage(path.join(target, entry));
  return total;
}

/** Whether dir's `.git` file points into this repository's worktree records (a lane git forgot). */
async function isLeftoverLane(dir: string, commonDir: string): Promise<boolean> {
  const record = await worktreeRecord(dir);
  if (!record) return false;
  return (await realOr(path.dirname(path.dirname(record)))) === commonDir;
}

async function refList(git: Git, args: string[]): Promise<string[]> {
  const result = await git.run(["for-each-ref", "--format=%(refname:short)", ...args], {
    allowFail: true,
  });
  return result.exitCode === 0 ? result.stdout.split("\n").filter(Boolean) : [];
}

async function branchFacts(git: Git, worktrees: WorktreeInfo[]): Promise<BranchFact[]> {
  const { stdout } = await git.run([
    "for-each-ref",
    "--format=%(objectname) %(refname:short)",
    "refs/heads/lanes/",
  ]);
  const all = stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const space = line.indexOf(" ");
      return { commit: line.slice(0, space), name: line.slice(space + 1) };
    });
  const integration = all
    .filter((b) => b.name.startsWith(INTEGRATION_BRANCH_PREFIX))
    .map((b) => b.name);
  const hasHead =
    (await git.run(["rev-parse", "--verify", "--quiet", "HEAD"], { allowFail: true })).exitCode ===
    0;
  const targets = [...(hasHead ? ["HEAD"] : []), ...integration];
  const mergedInto = new Map<string, string>();
  for (const target of targets) {
    const ref = target === "HEAD" ? "HEAD" : `refs/heads/${target}`;
    for (const name of await refList(git, ["--merged", ref, "refs/heads/lanes/"])) {
      if (name !== target && !mergedInto.has(name)) mergedInto.set(name, target);
    }
  }
  const facts: BranchFact[] = [];
  for (const { name, commit } of all) {
    const isIntegration = name.startsWith(INTEGRATION_BRANCH_PREFIX);
    // An integration branch counts as merged only when HEAD has it: nothing else lands it.
    const into = isIntegration
      ? mergedInto.get(name) === "HEAD"
        ? "HEAD"
        : undefined
      : mergedInto.get(name);
    let unmergedCommits = 0;
    if (into === undefined) {
      const others = isIntegration ? targets.filter((t) => t === "HEAD") : targets;
      const refs = others.map((t) => (t === "HEAD" ? "HEAD" : `refs/heads/${t}`));
      const count = await git.run(["rev-list", "--count", commit, "--not", ...refs], {
        allowFail: true,
      });
      unmergedCommits = Number(count.stdout) || 0;
    }
    const checkedOut = worktrees.find((wt) => wt.branch === name);
    facts.push({
      name,
      commit,
      mergedInto: into,
      unmergedCommits,
      checkedOutAt: checkedOut ? path.resolve(checkedOut.path) : undefined,
    });
  }
  return facts;
}

/** Reads what runs left behind: run records, folders in the worktree roots, lane branches. */
export async function gatherCleanFacts(
  git: Git,
  repoRoot: string,
  options: Pick<CleanPlanOptions, "olderThanMs">,
): Promise<CleanFacts> {
  const summaries = await listRuns(repoRoot);
  const locked = await lockedRunId(repoRoot);
  if (locked !== undefined && !summaries.some((run) => run.id === locked && run.state)) {
    throw new LanesError("E_LOCKED", `a lanes run (${locked}) is starting in ${repoRoot}`, {
      hint: "run lanes clean again once it has started (its lanes are then left alone) or finished",
    });
  }
  const runs: RunFact[] = [];
  // One pass over /proc for every dead run's marked processes, and none when no run is dead.
  const marked = summaries.some((run) => run.state && !run.live)
    ? processesByEnv("LANES_RUN_ID")
    : new Map<string, number[]>();
  for (const summary of summaries) {
    const state = summary.state;
    runs.push({
      id: summary.id,
      dir: summary.dir,
      state,
      live: summary.live,
      ...(state && !summary.live
        ? { leftovers: leftoversOf(state, marked.get(state.id) ?? []) }
        : {}),
      lastActive:
        state?.finishedAt ??
        summary.updatedAt ??
        state?.startedAt ??
        (await lstat(summary.dir).then(
          (s) => s.mtimeMs,
          () => undefined,
        )),
      bytes: options.olderThanMs !== undefined && !summary.live ? await diskUsage(summary.dir) : 0,
    });
  }

  const commonDir = await git.lockKey();
  const repoReal = await realOr(repoRoot);
  const worktrees = await listWorktrees(git);
  const byReal = new Map<string, WorktreeInfo>();
  for (const wt of worktrees.slice(1)) byReal.set(await realOr(wt.path), wt); // [0] is the main checkout
  const lanes: LaneFolder[] = [];
  const foreign: CleanFacts["foreign"] = [];
  const trash: CleanFacts["trash"] = [];
  const pooled: NonNullable<CleanFacts["pooled"]> = [];
  const roots: string[] = [];
  const recorded = new Set(
    runs.map((run) => run.state?.worktreeRoot).filter((r): r is string => !!r),
  );
  for (const recordedRoot of recorded) {
    const root = await realOr(recordedRoot);
    if (roots.includes(root)) continue;
    if (
      root === repoReal ||
      isInside(root, repoReal) ||
      isInside(path.join(repoReal, ".git"), root)
    ) {
      foreign.push({
        path: recordedRoot,
        why: "this worktree folder holds the repository itself; lanes leaves it alone",
      });
      continue;
    }
    let entries: Dirent[];
    try {
      entries = await readdir(root, { withFileTypes: true });
    } catch {
      continue;
    }
    roots.push(root);
    for (const entry of entries) {
      const full = path.join(root, entry.name);
      if (entry.isDirectory() && entry.name === POOL_DIR) {
        // The worktree pool: lanes of finished tasks kept for reuse, holding nothing to lose.
        for (const slot of await readdir(full).catch(() => [] as string[])) {
          const slotPath = path.join(full, slot);
          pooled.push({ path: slotPath, bytes: await diskUsage(slotPath) });
        }
        continue;
      }
      if (entry.isDirectory() && isTrashName(entry.name)) {
        trash.push({ path: full, bytes: await diskUsage(full) });
        continue;
      }
      if (entry.isSymbolicLink()) {
        foreign.push({ path: full, why: "a symbolic link, not a lane" });
        continue;
      }
      if (!entry.isDirectory()) {
        foreign.push({ path: full, why: "not a lane folder" });
        continue;
      }
      const registered = byReal.get(full);
      if (!registered && !(await isLeftoverLane(full, commonDir))) {
        foreign.push({ path: full, why: `not a lane of ${repoRoot}: lanes did not create it` });
        continue;
      }
      // Untracked files count, ignored ones do not: what `git worktree remove` itself refuses.
      const dirty = registered
        ? await dirtyFiles(git, full).catch((error: Error) => [
            `(git status failed: ${error.message.split("\n")[0]})`,
          ])
        : [];
      lanes.push({
        path: full,
        name: entry.name,
        registered: registered !== undefined,
        branch: registered?.branch,
        locked: registered?.locked ?? false,
        dirty,
        bytes: await diskUsage(full),
      });
    }
  }
  const branches = await branchFacts(git, worktrees);
  for (const branch of branches) {
    if (branch.checkedOutAt) branch.checkedOutAt = await realOr(branch.checkedOutAt);
  }
  return {
    repoRoot,
    runs,
    lanes,
    foreign,
    trash,
    pooled,
    roots,
    branches,
    prunable: worktrees.filter((wt) => wt.prunable).length,
  };
}
