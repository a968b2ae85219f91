// `lanes clean`: what finished runs left behind (worktrees, lane branches, integration branches,
// old run folders), what of it is safe to remove, and removing it. Facts are gathered first,
// then `planClean` (pure) decides, so a dry run and a real run decide the same way.
import type { Dirent } from "node:fs";
import { lstat, readdir, readFile, realpath, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import { LanesError } from "../errors.js";
import { dirtyFiles } from "../git/repo.js";
import type { Git } from "../git/runner.js";
import { listWorktrees, prune, removeLane, type WorktreeInfo } from "../git/worktrees.js";
import { INTEGRATION_BRANCH_PREFIX as INTEGRATION_PREFIX, LANE_BRANCH_PREFIX } from "../names.js";
import { plural } from "../report/text.js";
import { RESUMABLE_STATUSES as RESUMABLE, runsDir as runsDirOf } from "../state/layout.js";
import type { RunState } from "../state/run-state.js";
import { listRuns, lockedRunId } from "../state/runs.js";

export interface CleanOptions {
  /** Also remove unmerged work: unmerged branches, dirty worktrees, resumable runs' leftovers. */
  all: boolean;
  /** Remove the folders of finished runs older than this; undefined keeps every run folder. */
  olderThanMs: number | undefined;
  now: number;
}

export interface RunFact {
  id: string;
  dir: string;
  state: RunState | undefined;
  live: boolean;
  /** When the run ended, or last wrote run.json; what `--older-than` measures. */
  lastActive: number | undefined;
  bytes: number;
}

export interface LaneFolder {
  path: string;
  name: string;
  /** A registered worktree of this repository (else a leftover folder whose admin entry is gone). */
  registered: boolean;
  branch: string | undefined;
  locked: boolean;
  /** Uncommitted changes: work that removing the folder would lose. */
  dirty: string[];
  bytes: number;
}

export interface BranchFact {
  name: string;
  commit: string;
  /** HEAD or an integration branch that holds all of this branch's commits. */
  mergedInto: string | undefined;
  /** Commits not in HEAD nor in any integration branch. */
  unmergedCommits: number;
  /** Worktree where it is checked out. */
  checkedOutAt: string | undefined;
}

export interface CleanFacts {
  repoRoot: string;
  runs: RunFact[];
  lanes: LaneFolder[];
  /** Entries of a worktree folder that are not lanes of this repository: never touched. */
  foreign: { path: string; why: string }[];
  /** Worktree folders (recorded by runs) that exist. */
  roots: string[];
  branches: BranchFact[];
  /** Registered worktrees whose folder is gone. */
  prunable: number;
}

export type CleanAction =
  | { kind: "worktree"; path: string; force: boolean; bytes: number; why: string }
  | { kind: "branch"; name: string; commit: string; why: string }
  | { kind: "run"; id: string; dir: string; bytes: number; why: string };

export interface CleanPlan {
  /** Safe: nothing that is not merged somewhere is lost. */
  actions: CleanAction[];
  /** Work not merged anywhere: removed only with --all (after confirmation). */
  unmerged: CleanAction[];
  /** What is left alone, and why. */
  kept: { what: string; why: string }[];
  prune: boolean;
  /** Worktree folders to remove when they end up empty. */
  roots: string[];
}

/** Decides what to remove. Pure: the same facts and options give the same plan. */
export function planClean(facts: CleanFacts, options: CleanOptions): CleanPlan {
  const plan: CleanPlan = { actions: [], unmerged: [], kept: [], prune: true, roots: [] };
  const live = facts.runs.filter((run) => run.live);
  const liveTasks = new Map<string, string>();
  for (const run of live) for (const id of run.state?.order ?? []) liveTasks.set(id, run.id);
  const liveBranches = new Set([
    ...live.map((run) => `${INTEGRATION_PREFIX}${run.id}`),
    ...[...liveTasks.keys()].map((id) => `lanes/${id}`),
  ]);

  // Run folders first: a run whose folder goes is no longer resumable, so its branch is fair game.
  const removedRuns = new Set<string>();
  if (options.olderThanMs !== undefined) {
    for (const run of facts.runs) {
      if (run.live) continue;
      if (run.lastActive === undefined || options.now - run.lastActive < options.olderThanMs)
        continue;
      const status = run.state?.status ?? "unreadable";
      const action: CleanAction = {
        kind: "run",
        id: run.id,
        dir: run.dir,
        bytes: run.bytes,
        why: `${status === "running" ? "crashed" : status}, last active ${new Date(run.lastActive).toISOString()}`,
      };
      if (status === "running" || status === "interrupted") {
        if (options.all)
          plan.unmerged.push({ ...action, why: `${action.why}; it could still be resumed` });
        else
          plan.kept.push({
            what: `run folder ${run.dir}`,
            why: `run ${run.id} can still be resumed (lanes resume ${run.id}); --all removes it`,
          });
        continue;
      }
      plan.actions.push(action);
      removedRuns.add(run.id);
    }
  }
  for (const run of live)
    plan.kept.push({ what: `run ${run.id}`, why: "it is running: its lanes are left alone" });

  const removed = new Map<string, "safe" | "unmerged">();
  for (const lane of facts.lanes) {
    const owner = liveTasks.get(lane.name);
    if (owner || (lane.branch && liveBranches.has(lane.branch))) {
      plan.kept.push({ what: lane.path, why: `run ${owner ?? lane.branch} is running` });
      continue;
    }
    if (lane.locked) {
      plan.kept.push({ what: lane.path, why: `it is locked (git worktree unlock ${lane.path})` });
      continue;
    }
    if (
      lane.registered &&
      lane.branch !== undefined &&
      !lane.branch.startsWith(LANE_BRANCH_PREFIX)
    ) {
      // A task's lane whose agent switched it to another branch: --all removes the worktree,
      // never that branch (its commits stay there). Any other worktree here is not lanes'.
      const switched = facts.runs.some((run) => run.state?.tasks[lane.name] !== undefined);
      if (!switched) {
        plan.kept.push({ what: lane.path, why: `not a lane: it has ${lane.branch} checked out` });
        continue;
      }
      const why = `task ${lane.name}'s lane, switched to ${lane.branch} by its agent (the branch ${lane.branch} is kept)`;
      if (options.all) {
        plan.unmerged.push({
          kind: "worktree",
          path: lane.path,
          force: true,
          bytes: lane.bytes,
          why,
        });
        removed.set(lane.path, "unmerged");
      } else plan.kept.push({ what: lane.path, why: `${why}; --all removes the worktree` });
      continue;
    }
    if (lane.dirty.length > 0) {
      const why = `${plural(lane.dirty.length, "uncommitted file")} (${lane.dirty.slice(0, 3).join(", ")}${lane.dirty.length > 3 ? ", ..." : ""})`;
      const action: CleanAction = {
        kind: "worktree",
        path: lane.path,
        force: true,
        bytes: lane.bytes,
        why,
      };
      if (options.all) {
        plan.unmerged.push(action);
        removed.set(lane.path, "unmerged");
      } else plan.kept.push({ what: lane.path, why: `${why}; --all removes it` });
      continue;
    }
    plan.actions.push({
      kind: "worktree",
      path: lane.path,
      force: false,
      bytes: lane.bytes,
      why: lane.registered ? `lane of ${lane.branch ?? "a detached HEAD"}` : "leftover lane folder",
    });
    removed.set(lane.path, "safe");
  }
  for (const foreign of facts.foreign) plan.kept.push({ what: foreign.path, why: foreign.why });

  const runsById = new Map(facts.runs.map((run) => [run.id, run]));
  for (const branch of facts.branches) {
    const integration = branch.name.startsWith(INTEGRATION_PREFIX);
    const what = `branch ${branch.name}`;
    if (
      integration
        ? liveBranches.has(branch.name)
        : liveTasks.has(branch.name.slice(LANE_BRANCH_PREFIX.length))
    ) {
      plan.kept.push({ what, why: "its run is running" });
      continue;
    }
    // A branch checked out in a worktree that stays cannot go; one in a removed worktree follows it.
    const holder = branch.checkedOutAt === undefined ? undefined : removed.get(branch.checkedOutAt);
    if (branch.checkedOutAt !== undefined && holder === undefined) {
      const lane = facts.lanes.some((l) => l.path === branch.checkedOutAt);
      plan.kept.push({
        what,
        why: lane ? "its worktree is kept" : `it is checked out at ${branch.checkedOutAt}`,
      });
      continue;
    }
    const base = { kind: "branch" as const, name: branch.name, commit: branch.commit };
    if (integration) {
      const run = runsById.get(branch.name.slice(INTEGRATION_PREFIX.length));
      const resumable =
        run?.state !== undefined && RESUMABLE.has(run.state.status) && !removedRuns.has(run.id);
      if (resumable) {
        const why = `run ${run!.id} can still be resumed (lanes resume ${run!.id})`;
        if (options.all) plan.unmerged.push({ ...base, why });
        else plan.kept.push({ what, why: `${why}; --all deletes it` });
        continue;
      }
      if (branch.mergedInto === "HEAD" && holder !== "unmerged") {
        plan.actions.push({ ...base, why: "merged into HEAD" });
        continue;
      }
      const why = `not landed: ${plural(branch.unmergedCommits, "commit")} not in HEAD`;
      if (options.all) plan.unmerged.push({ ...base, why });
      else plan.kept.push({ what, why: `${why}; --all deletes it` });
      continue;
    }
    if (branch.mergedInto !== undefined && holder !== "unmerged") {
      plan.actions.push({ ...base, why: `merged into ${branch.mergedInto}` });
      continue;
    }
    const why =
      branch.mergedInto !== undefined
        ? "its worktree has uncommitted work"
        : `${plural(branch.unmergedCommits, "commit")} not merged anywhere`;
    if (options.all) plan.unmerged.push({ ...base, why });
    else plan.kept.push({ what, why: `${why}; --all deletes it` });
  }
  if (live.length === 0) plan.roots = facts.roots;
  return plan;
}

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

async function realOr(p: string): Promise<string> {
  return realpath(p).catch(() => path.resolve(p));
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

/** Whether dir's `.git` file points into this repository's worktree records (a lane git forgot). */
async function isLeftoverLane(dir: string, commonDir: string): Promise<boolean> {
  const dotGit = await readFile(path.join(dir, ".git"), "utf8").catch(() => undefined);
  const gitdir = dotGit?.match(/^gitdir: (.+)$/m)?.[1]?.trim();
  if (!gitdir) return false;
  const admin = path.resolve(dir, gitdir);
  if (path.basename(path.dirname(admin)) !== "worktrees") return false;
  return (await realOr(path.dirname(path.dirname(admin)))) === commonDir;
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
  const integration = all.filter((b) => b.name.startsWith(INTEGRATION_PREFIX)).map((b) => b.name);
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
    const isIntegration = name.startsWith(INTEGRATION_PREFIX);
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
  options: Pick<CleanOptions, "olderThanMs">,
): Promise<CleanFacts> {
  const summaries = await listRuns(repoRoot);
  const locked = await lockedRunId(repoRoot);
  if (locked !== undefined && !summaries.some((run) => run.id === locked && run.state)) {
    throw new LanesError("E_LOCKED", `a lanes run (${locked}) is starting in ${repoRoot}`, {
      hint: "run lanes clean again once it has started (its lanes are then left alone) or finished",
    });
  }
  const runs: RunFact[] = [];
  for (const summary of summaries) {
    const state = summary.state;
    runs.push({
      id: summary.id,
      dir: summary.dir,
      state,
      live: summary.live,
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
    roots,
    branches,
    prunable: worktrees.filter((wt) => wt.prunable).length,
  };
}

export interface CleanReport {
  done: CleanAction[];
  failed: { action: CleanAction; error: string }[];
  freedBytes: number;
  pruned: boolean;
}

/** Carries out a plan's actions (and, when confirmed, its unmerged part), item by item. */
export async function executeClean(
  git: Git,
  repoRoot: string,
  plan: CleanPlan,
  actions: CleanAction[],
): Promise<CleanReport> {
  const report: CleanReport = { done: [], failed: [], freedBytes: 0, pruned: false };
  const attempt = async (action: CleanAction, work: () => Promise<void>) => {
    try {
      await work();
      report.done.push(action);
      if (action.kind !== "branch") report.freedBytes += action.bytes;
    } catch (error) {
      report.failed.push({ action, error: (error as Error).message });
    }
  };
  for (const action of actions) {
    if (action.kind !== "worktree") continue;
    // removeLane checks again that the path is a worktree or a leftover lane of this repository.
    await attempt(action, () => removeLane(git, action.path, { force: action.force }));
  }
  if (plan.prune) {
    await prune(git);
    report.pruned = true;
  }
  for (const root of plan.roots) {
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
  const runsDir = runsDirOf(repoRoot);
  for (const action of actions) {
    if (action.kind !== "run") continue;
    await attempt(action, async () => {
      if (!isInside(runsDir, action.dir)) throw new Error(`${action.dir} is not inside ${runsDir}`);
      await rm(action.dir, { recursive: true, force: true });
    });
  }
  return report;
}
