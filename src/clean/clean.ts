// `clean()`, the API behind `lanes clean`: gather the facts, plan (pure), let the caller confirm
// the unmerged part, then remove; a dry run stops after the plan, so both decide the same way.
import { findRepoRoot } from "../git/repo.js";
import { Git } from "../git/runner.js";
import { executeClean } from "./execute.js";
import { gatherCleanFacts } from "./facts.js";
import { type CleanAction, planClean } from "./plan.js";
import { laneTeardown } from "./teardown.js";

export type { CleanAction } from "./plan.js";

export interface CleanOptions {
  /** A directory inside the repository; defaults to the current one. */
  cwd?: string;
  /** Decide and report, change nothing. */
  dryRun?: boolean;
  /** Also remove unmerged work: unmerged branches, dirty worktrees, resumable runs' leftovers. */
  all?: boolean;
  /** Also remove the folders of finished runs last active longer ago than this (milliseconds). */
  olderThanMs?: number;
  /**
   * Called when `all` is set and this is not a dry run, with the unmerged work found (possibly
   * none), before anything is changed: false keeps that work, a throw aborts with nothing
   * changed. Without it, `all` removes the unmerged work as asked.
   */
  confirm?: (unmerged: CleanAction[]) => Promise<boolean>;
  /** The clock `olderThanMs` is measured against; defaults to now. */
  now?: number;
}

/** Something clean left in place, and why. */
export interface KeptItem {
  what: string;
  why: string;
}

export interface CleanResult {
  dryRun: boolean;
  /** What was removed, in the order it went; in a dry run, what would be. */
  removed: CleanAction[];
  /** The part of `removed` that held work merged nowhere (only with `all`). */
  unmerged: CleanAction[];
  /** What was left alone, and why (unmerged work without `all`, live runs, foreign folders). */
  kept: KeptItem[];
  /** What could not be removed; the rest went on. */
  failed: { action: CleanAction; error: string }[];
  /** Disk space freed (or that would be) by the removed worktrees and run folders, in bytes. */
  freedBytes: number;
  /** git's records of worktrees whose folders are gone, pruned (or that would be). */
  prunedRecords: number;
  /** What went wrong without stopping a removal (a lane's failed `lane.teardown`). */
  warnings: string[];
}

function sizeOf(actions: CleanAction[]): number {
  return actions.reduce((sum, a) => sum + ("bytes" in a ? a.bytes : 0), 0);
}

/** What an unmerged action is called when the user chose to keep it. */
function subject(action: CleanAction): string {
  switch (action.kind) {
    case "worktree":
      return `worktree ${action.path}`;
    case "branch":
      return `branch ${action.name}`;
    case "run":
      return `run folder ${action.dir}`;
    case "processes":
      return `the processes of run ${action.runId}`;
  }
}

/**
 * Removes what finished runs left behind: lane worktrees, merged lane branches, landed
 * integration branches, stale worktree records and (with `olderThanMs`) old run folders. Never a
 * live run's lanes, and never work merged nowhere unless `all` is set (and `confirm` agrees).
 * Throws a LanesError (E_LOCKED) while a run is starting.
 */
export async function clean(options: CleanOptions = {}): Promise<CleanResult> {
  const repoRoot = await findRepoRoot(options.cwd ?? process.cwd());
  const git = new Git(repoRoot);
  const all = options.all ?? false;
  const facts = await gatherCleanFacts(git, repoRoot, { olderThanMs: options.olderThanMs });
  const plan = planClean(facts, {
    all,
    olderThanMs: options.olderThanMs,
    now: options.now ?? Date.now(),
  });
  if (options.dryRun) {
    const removed = [...plan.actions, ...plan.unmerged];
    return {
      dryRun: true,
      removed,
      unmerged: plan.unmerged,
      kept: plan.kept,
      failed: [],
      freedBytes: sizeOf(removed),
      prunedRecords: facts.prunable,
      warnings: [],
    };
  }
  const confirmed = all && options.confirm ? await options.confirm(plan.unmerged) : true;
  if (!confirmed) {
    for (const action of plan.unmerged) {
      plan.kept.push({ what: subject(action), why: `you chose to keep it (${action.why})` });
    }
  }
  const unmerged = confirmed ? plan.unmerged : [];
  const actions = [...plan.actions, ...unmerged];
  const teardown = await laneTeardown(repoRoot, facts, actions);
  const report = await executeClean(git, repoRoot, plan, actions, teardown);
  return {
    dryRun: false,
    removed: report.done,
    unmerged: report.done.filter((action) => unmerged.includes(action)),
    kept: plan.kept,
    failed: report.failed,
    freedBytes: report.freedBytes,
    prunedRecords: report.pruned ? facts.prunable : 0,
    warnings: report.warnings,
  };
}
