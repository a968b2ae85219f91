// `lanes clean`'s plan, by table: what is removed, what needs --all and what is kept, from facts
// alone (no repository): the policy that a dry run and a real clean share.
import { describe, expect, it } from "vitest";
import {
  type BranchFact,
  type CleanFacts,
  type CleanPlan,
  type CleanPlanOptions,
  type LaneFolder,
  planClean,
  type RunFact,
} from "../../src/clean/plan.js";
import type { RunStatus } from "../../src/state/run-state.js";

const ROOT = "/work/.lanes-worktrees/repo";
const NOW = Date.parse("2026-11-29T12:00:00Z");
const DAY = 24 * 60 * 60 * 1000;

function run(id: string, status: RunStatus, extra: Partial<RunFact> = {}, tasks: string[] = []) {
  const fact: RunFact = {
    id,
    dir: `/repo/.lanes/runs/${id}`,
    state: {
      status,
      order: tasks,
      tasks: Object.fromEntries(tasks.map((task) => [task, {}])),
    } as unknown as RunFact["state"],
    live: false,
    lastActive: NOW - 2 * DAY,
    bytes: 1000,
    ...extra,
  };
  return fact;
}

function lane(name: string, extra: Partial<LaneFolder> = {}): LaneFolder {
  return {
    path: `${ROOT}/${name}`,
    name,
    registered: true,
    branch: `lanes/${name}`,
    locked: false,
    dirty: [],
    bytes: 4096,
    ...extra,
  };
}

function branch(name: string, extra: Partial<BranchFact> = {}): BranchFact {
  return {
    name,
    commit: "c0ffee",
    mergedInto: "HEAD",
    unmergedCommits: 0,
    checkedOutAt: undefined,
    ...extra,
  };
}

function facts(parts: Partial<CleanFacts>): CleanFacts {
  return {
    repoRoot: "/repo",
    runs: [],
    lanes: [],
    foreign: [],
    trash: [],
    roots: [ROOT],
    branches: [],
    prunable: 0,
    ...parts,
  };
}

/** The plan as `kind:what` lines per part: what a reader of the plan checks. */
function outline(plan: CleanPlan) {
  const name = (action: CleanPlan["actions"][number]) =>
    action.kind === "branch"
      ? `branch:${action.name}`
      : action.kind === "worktree"
        ? `worktree:${action.path.slice(ROOT.length + 1)}${action.force ? " (force)" : ""}`
        : action.kind === "processes"
          ? `processes:${action.runId}:${action.count}`
          : `run:${action.id}`;
  return {
    remove: plan.actions.map(name),
    unmerged: plan.unmerged.map(name),
    kept: plan.kept.map((item) => item.what.replace(`${ROOT}/`, "")),
  };
}

const BASE: CleanPlanOptions = { all: false, olderThanMs: undefined, now: NOW };
const ALL: CleanPlanOptions = { ...BASE, all: true };

interface Row {
  name: string;
  facts: CleanFacts;
  options: CleanPlanOptions;
  expected: ReturnType<typeof outline>;
}

const rows: Row[] = [
  {
    name: "a lane folder whose deletion a kill interrupted goes, forced",
    facts: facts({ trash: [{ path: `${ROOT}/.trash-a-0a1b2c3d`, bytes: 10 }] }),
    options: BASE,
    expected: { remove: ["worktree:.trash-a-0a1b2c3d (force)"], unmerged: [], kept: [] },
  },
  {
    name: "a finished run's clean lane and its merged branch go",
    facts: facts({
      runs: [run("r1", "done", {}, ["a"])],
      lanes: [lane("a")],
      branches: [branch("lanes/a", { checkedOutAt: `${ROOT}/a` })],
    }),
    options: BASE,
    expected: { remove: ["worktree:a", "branch:lanes/a"], unmerged: [], kept: [] },
  },
  {
    name: "a lane with uncommitted work is kept, and so is its branch, without --all",
    facts: facts({
      runs: [run("r1", "failed", {}, ["a"])],
      lanes: [lane("a", { dirty: ["x.ts"] })],
      branches: [branch("lanes/a", { checkedOutAt: `${ROOT}/a` })],
    }),
    options: BASE,
    expected: { remove: [], unmerged: [], kept: ["a", "branch lanes/a"] },
  },
  {
    name: "--all removes the dirty lane (forced), and its branch, merged or not, as unmerged work",
    facts: facts({
      runs: [run("r1", "failed", {}, ["a"])],
      lanes: [lane("a", { dirty: ["x.ts"] })],
      branches: [branch("lanes/a", { checkedOutAt: `${ROOT}/a` })],
    }),
    options: ALL,
    expected: { remove: [], unmerged: ["worktree:a (force)", "branch:lanes/a"], kept: [] },
  },
  {
    name: "an unmerged lane branch is kept without --all and is unmerged work with it",
    facts: facts({ branches: [branch("lanes/b", { mergedInto: undefined, unmergedCommits: 2 })] }),
    options: BASE,
    expected: { remove: [], unmerged: [], kept: ["branch lanes/b"] },
  },
  {
    name: "a live run's lanes and branches are never touched, even with --all",
    facts: facts({
      runs: [run("live", "running", { live: true }, ["a"])],
      lanes: [lane("a")],
      branches: [branch("lanes/a", { checkedOutAt: `${ROOT}/a` }), branch("lanes/run/live")],
    }),
    options: { ...ALL, olderThanMs: 0 },
    expected: {
      remove: [],
      unmerged: [],
      kept: ["run live", "a", "branch lanes/a", "branch lanes/run/live"],
    },
  },
  {
    name: "a locked worktree is kept",
    facts: facts({ lanes: [lane("a", { locked: true })] }),
    options: ALL,
    expected: { remove: [], unmerged: [], kept: ["a"] },
  },
  {
    name: "a leftover lane folder (git forgot it) goes",
    facts: facts({ lanes: [lane("a", { registered: false, branch: undefined })] }),
    options: BASE,
    expected: { remove: ["worktree:a"], unmerged: [], kept: [] },
  },
  {
    name: "a worktree on another branch that no run knows is not a lane",
    facts: facts({ lanes: [lane("mine", { branch: "feature" })] }),
    options: ALL,
    expected: { remove: [], unmerged: [], kept: ["mine"] },
  },
  {
    name: "a task's lane its agent switched to another branch goes only with --all",
    facts: facts({
      runs: [run("r1", "failed", {}, ["a"])],
      lanes: [lane("a", { branch: "feature" })],
    }),
    options: ALL,
    expected: { remove: [], unmerged: ["worktree:a (force)"], kept: [] },
  },
  {
    name: "a resumable run's integration branch is kept without --all",
    facts: facts({
      runs: [run("r1", "interrupted")],
      branches: [branch("lanes/run/r1", { mergedInto: undefined, unmergedCommits: 1 })],
    }),
    options: BASE,
    expected: { remove: [], unmerged: [], kept: ["branch lanes/run/r1"] },
  },
  {
    name: "a landed integration branch of a finished run goes",
    facts: facts({ runs: [run("r1", "done")], branches: [branch("lanes/run/r1")] }),
    options: BASE,
    expected: { remove: ["branch:lanes/run/r1"], unmerged: [], kept: [] },
  },
  {
    name: "an integration branch not landed is unmerged work",
    facts: facts({
      runs: [run("r1", "done")],
      branches: [branch("lanes/run/r1", { mergedInto: undefined, unmergedCommits: 3 })],
    }),
    options: ALL,
    expected: { remove: [], unmerged: ["branch:lanes/run/r1"], kept: [] },
  },
  {
    name: "--older-than removes old finished runs' folders, keeps young and resumable ones",
    facts: facts({
      runs: [
        run("old-done", "done"),
        run("old-failed", "failed"),
        run("old-interrupted", "interrupted"),
        run("young", "done", { lastActive: NOW - 60_000 }),
      ],
    }),
    options: { ...BASE, olderThanMs: DAY },
    expected: {
      remove: ["run:old-done", "run:old-failed"],
      unmerged: [],
      kept: ["run folder /repo/.lanes/runs/old-interrupted"],
    },
  },
  {
    name: "a failed run whose folder goes is no longer resumable: its landed branch goes too",
    facts: facts({ runs: [run("r1", "failed")], branches: [branch("lanes/run/r1")] }),
    options: { ...BASE, olderThanMs: DAY },
    expected: { remove: ["run:r1", "branch:lanes/run/r1"], unmerged: [], kept: [] },
  },
  {
    name: "a dead run's leftover processes (or its empty cgroup) are ended; a live run's never",
    facts: facts({
      runs: [
        run("crashed", "running", { leftovers: { processes: 2, cgroup: true } }),
        run("cgroup-only", "interrupted", { leftovers: { processes: 0, cgroup: true } }),
        run("none", "interrupted", { leftovers: { processes: 0, cgroup: false } }),
        run("live", "running", { live: true, leftovers: { processes: 3, cgroup: true } }),
      ],
    }),
    options: BASE,
    expected: {
      remove: ["processes:crashed:2", "processes:cgroup-only:0"],
      unmerged: [],
      kept: ["run live"],
    },
  },
];

describe("planClean", () => {
  it.each(rows)("$name", ({ facts: given, options, expected }) => {
    expect(outline(planClean(given, options))).toEqual(expected);
  });

  it("with --all, unmerged work moves from kept to unmerged, and the safe part stays the same", () => {
    for (const row of rows) {
      const without = planClean(row.facts, { ...row.options, all: false });
      const withAll = planClean(row.facts, { ...row.options, all: true });
      expect(withAll.actions, row.name).toEqual(without.actions);
      expect(without.unmerged, row.name).toEqual([]);
    }
  });

  it("removes the worktree folders once empty, unless a run is live", () => {
    expect(planClean(facts({}), BASE).roots).toEqual([ROOT]);
    const live = facts({ runs: [run("live", "running", { live: true })] });
    expect(planClean(live, BASE).roots).toEqual([]);
  });

  it("says why it keeps what it keeps", () => {
    const plan = planClean(
      facts({ branches: [branch("lanes/b", { mergedInto: undefined, unmergedCommits: 2 })] }),
      BASE,
    );
    expect(plan.kept).toEqual([
      { what: "branch lanes/b", why: "2 commits not merged anywhere; --all deletes it" },
    ]);
  });
});
