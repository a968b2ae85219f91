// `check()`, the API behind `lanes run --dry-run`: every up-front check of a run, through the very
// code run() uses (prepareRun), with nothing started or written.
import type { RunOptions } from "./options.js";
import type { Plan } from "./plan.js";
import { prepareRun } from "./prepare.js";

/** What a run would start from, once every check has passed. */
export interface CheckResult {
  repoRoot: string;
  /** The selected tasks in waves, with the critical path and cost, as plan() gives it. */
  plan: Plan;
  baseCommit: string;
  /** Undefined on a detached HEAD. */
  baseBranch: string | undefined;
  /** Where the lanes' worktrees would go. */
  worktreeRoot: string;
  /** Uncommitted files in the main checkout: not part of the lanes (worth a warning). */
  dirty: string[];
  /** Per selected task, the agent that would run: preset name (or "command") and argv. */
  agents: Record<string, { name: string; argv: string[] }>;
}

/**
 * Checks a run without running it: repository, settings, tasks and selection, batches, agent
 * commands, prompt template, lane branches, worktree folder. Throws the LanesError (exit 2) a run
 * would throw; resolves when `run()` with the same options would start.
 */
export async function check(options: RunOptions = {}): Promise<CheckResult> {
  const prepared = await prepareRun(options);
  const agents: CheckResult["agents"] = {};
  for (const [id, agent] of prepared.agents) agents[id] = { name: agent.name, argv: agent.argv };
  return {
    repoRoot: prepared.repoRoot,
    plan: prepared.plan,
    baseCommit: prepared.baseCommit,
    baseBranch: prepared.baseBranch,
    worktreeRoot: prepared.worktreeRoot,
    dirty: prepared.dirty,
    agents,
  };
}
