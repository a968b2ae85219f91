// What `lanes clean` removes, decided from facts gathered beforehand (facts.ts): pure, so that a
// dry run and a real clean decide the same way, and so that the policy is tested by tables
// without a repository.
import path from "node:path";
import { INTEGRATION_BRANCH_PREFIX } from "../names.js";
import { plural } from "../report/text.js";
import { RESUMABLE_STATUSES } from "../state/layout.js";
import type { RunState } from "../state/run-state.js";

export interface CleanPlanOptions {
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
  /** What a run that is not live left running (leftovers.ts), when it has a run.json. */
  leftovers?: { processes: number; cgroup: boolean };
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
  /** Lane folders renamed for deletion whose deletion a kill interrupted (`.trash-*`). */
  trash: { path: string; bytes: number }[];
  /** Worktrees in the pool (`<root>/.pool/*`), kept for reuse by the next run. */
  pooled?: { path: string; bytes: number }[];
  /** Worktree folders (recorded by runs) that exist. */
  roots: string[];
  branches: BranchFact[];
  /** Registered worktrees whose folder is gone. */
  prunable: number;
}

export type CleanAction =
  | {
      kind: "worktree";
      path: string;
      force: boolean;
      bytes: number;
      why: string;
      /** A renamed lane folder on its way out: deleted as a folder, git knows nothing of it. */
      trash?: boolean;
      /** The worktree folder it must be inside, when it goes even while a run is live (pool). */
      within?: string;
    }
  | { kind: "branch"; name: string; commit: string; why: string }
  | { kind: "run"; id: string; dir: string; bytes: number; why: string }
  /** A dead run's agents, verify or setup still running (and its cgroup): ended, then removed. */
  | { kind: "processes"; runId: string; count: number; why: string };

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

/** Statuses of a dead run that `lanes resume` can still continue. */

/** Decides what to remove. Pure: the same facts and options give the same plan. */
export function planClean(facts: CleanFacts, options: CleanPlanOptions): CleanPlan {
  const plan: CleanPlan = { actions: [], unmerged: [], kept: [], prune: true, roots: [] };
  const live = facts.runs.filter((run) => run.live);
  const liveTasks = new Map<string, string>();
  for (const run of live) for (const id of run.state?.order ?? []) liveTasks.set(id, run.id);
  const liveBranches = new Set([
    ...live.map((run) => `${INTEGRATION_BRANCH_PREFIX}${run.id}`),
    ...[...liveTasks.keys()].map((id) => `lanes/${id}`),
  ]);

  // A dead run's processes go whatever else is kept: `lanes resume` would end them too (it starts
  // each unfinished attempt again), and nothing a dead orchestrator started should run on.
  for (const run of facts.runs) {
    const left = run.live ? undefined : run.leftovers;
    if (!left || (left.processes === 0 && !left.cgroup)) continue;
    const status = run.state?.status === "running" ? "crashed" : (run.state?.status ?? "dead");
    plan.actions.push({
      kind: "processes",
      runId: run.id,
      count: left.processes,
      why: `still running for ${status} run ${run.id}, whose lanes process is gone`,
    });
  }

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
    if (lane.registered && lane.branch !== undefined && !lane.branch.startsWith("lanes/")) {
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
  for (const trash of facts.trash) {
    plan.actions.push({
      kind: "worktree",
      path: trash.path,
      force: true,
      bytes: trash.bytes,
      why: "a merged lane's folder whose deletion was interrupted",
      trash: true,
    });
  }
  for (const pooled of facts.pooled ?? []) {
    // Free pooled worktrees belong to no lane, not even a live run's: a run takes one by renaming
    // it out of the pool, and clean deletes one by renaming it to trash first, so one of the two
    // gets it whole.
    plan.actions.push({
      kind: "worktree",
      path: pooled.path,
      force: true,
      bytes: pooled.bytes,
      why: "a finished lane kept in the worktree pool for reuse",
      trash: true,
      within: path.dirname(path.dirname(pooled.path)),
    });
  }
  for (const foreign of facts.foreign) plan.kept.push({ what: foreign.path, why: foreign.why });

  const runsById = new Map(facts.runs.map((run) => [run.id, run]));
  for (const branch of facts.branches) {
    const integration = branch.name.startsWith(INTEGRATION_BRANCH_PREFIX);
    const what = `branch ${branch.name}`;
    if (
      integration
        ? liveBranches.has(branch.name)
        : liveTasks.has(branch.name.slice("lanes/".length))
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
      const run = runsById.get(branch.name.slice(INTEGRATION_BRANCH_PREFIX.length));
      const resumable =
        run?.state !== undefined &&
        RESUMABLE_STATUSES.has(run.state.status) &&
        !removedRuns.has(run.id);
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
