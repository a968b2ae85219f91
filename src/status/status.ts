// `status()`, the API behind `lanes status`: one run's record read back, with what lanes derives
// from it and from git (is it live, is its integration branch landed, what is left to do).
import { existsSync } from "node:fs";
import { findRepoRoot, isAncestor } from "../git/repo.js";
import { Git } from "../git/runner.js";
import type { RunState } from "../state/run-state.js";
import { listRuns, pickRun, type RunSummary } from "../state/runs.js";
import { type RunLeft, runLeft } from "./left.js";

export type { RunLeft } from "./left.js";

export interface StatusOptions {
  /** A directory inside the repository; defaults to the current one. */
  cwd?: string;
  /** The run: an exact id or a unique prefix of one; defaults to the newest run. */
  runId?: string;
}

/**
 * What `lanes status --json` prints, a public contract: run.json as it is, plus what lanes
 * derives from it. New fields may be added; existing ones keep their meaning.
 */
export type StatusJson = RunState & {
  /** Its orchestrator (or the process resuming it) is still running. */
  live: boolean;
  /** Recorded as running, but its orchestrator is gone (killed, machine slept and rebooted). */
  crashed: boolean;
  /** When run.json was last written (ms since the epoch), if it could be told. */
  updatedAt: number | undefined;
  left: RunLeft;
  integration: { exists: boolean; mergedIntoHead: boolean };
  /** Per task id: whether its lane branch and its worktree folder still exist. */
  lanes: Record<string, { branch: boolean; worktree: boolean }>;
  /** The repository's other runs, newest first: `running`, `crashed`, `unreadable` or a run status. */
  otherRuns: { id: string; status: string }[];
};

/** The lane branches (`lanes/...`) that exist, and whether HEAD holds the integration branch. */
async function gitFacts(repoRoot: string, state: RunState) {
  const git = new Git(repoRoot);
  const refs = await git.run(["for-each-ref", "--format=%(refname:short)", "refs/heads/lanes/"], {
    allowFail: true,
  });
  const branches = new Set(refs.stdout.split("\n").filter(Boolean));
  const exists = branches.has(state.integrationBranch);
  const head = await git.run(["rev-parse", "--verify", "--quiet", "HEAD"], { allowFail: true });
  const mergedIntoHead =
    exists &&
    head.exitCode === 0 &&
    (await isAncestor(git, `refs/heads/${state.integrationBranch}`, head.stdout).catch(
      () => false,
    ));
  return { branches, integration: { exists, mergedIntoHead } };
}

function summaryStatus(run: RunSummary): string {
  if (run.live) return "running";
  if (run.state?.status === "running") return "crashed";
  return run.state?.status ?? "unreadable";
}

/**
 * One run as `lanes status` shows it. Throws a LanesError (exit 2): E_NO_RUN when there is no
 * such run (naming those that exist), E_STATE when its run.json is unreadable.
 */
export async function status(options: StatusOptions = {}): Promise<StatusJson> {
  const repoRoot = await findRepoRoot(options.cwd ?? process.cwd());
  const runs = await listRuns(repoRoot);
  const run = pickRun(repoRoot, runs, options.runId);
  const { branches, integration } = await gitFacts(repoRoot, run.state);
  const lanes: StatusJson["lanes"] = {};
  for (const [id, task] of Object.entries(run.state.tasks)) {
    lanes[id] = {
      branch: branches.has(task.branch),
      worktree: task.worktree !== undefined && existsSync(task.worktree),
    };
  }
  return {
    ...run.state,
    live: run.live,
    crashed: run.state.status === "running" && !run.live,
    updatedAt: run.updatedAt,
    left: runLeft({ state: run.state, live: run.live, integration }),
    integration,
    lanes,
    otherRuns: runs
      .filter((other) => other.id !== run.id)
      .map((other) => ({ id: other.id, status: summaryStatus(other) })),
  };
}
