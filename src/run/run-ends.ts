/**
 * The two ends of a run: opening (the scheduler over its pending tasks, run.json on disk, the
 * integration branch, `run_started` and the warnings a user should see first) and closing (landing on the base branch when asked and
 * everything succeeded, the final status, `run_finished`, the result).
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { LanesError } from "../errors.js";
import { createBranch, fastForward } from "../git/merge.js";
import { resolveCommit } from "../git/repo.js";
import { Scheduler } from "../scheduler/scheduler.js";
import { RUNS_DIR } from "../state/layout.js";
import { countStatuses, type RunState } from "../state/run-state.js";
import type { Integration } from "./lane-pool.js";
import type { Ledger } from "./ledger.js";
import type { PreparedRun } from "./prepare.js";
import { buildResult, type RunResult } from "./result.js";

/** Exponential backoff with jitter: 1 s, 2 s, 4 s ... capped at 60 s, each ±25 %. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(60_000, 1000 * 2 ** Math.max(0, attempt - 2));
  return Math.round(base * (0.75 + random() * 0.5));
}

export async function openRun(
  prepared: PreparedRun,
  ledger: Ledger,
  integration: Integration,
  resuming: boolean,
): Promise<void> {
  // `.lanes/runs/` ignores itself, so run state never shows up in `git status`.
  await writeFile(path.join(prepared.repoRoot, RUNS_DIR, ".gitignore"), "*\n", { flag: "w" });
  await ledger.saveNow();
  if (resuming) integration.head = await resolveCommit(prepared.git, integration.branch);
  else await createBranch(prepared.git, integration.branch, prepared.baseCommit);
  ledger.emit({
    type: "run_started",
    tasks: ledger.state.order,
    concurrency: prepared.settings.concurrency,
    integrationBranch: integration.branch,
    baseCommit: prepared.baseCommit,
    baseBranch: prepared.baseBranch,
  });
  // What loading GitHub issues found: a dependency pulled in, one closed and counted done.
  for (const note of prepared.plan.notes ?? []) ledger.emit({ type: "warning", message: note });
  if (prepared.dirty.length > 0) {
    const files =
      prepared.dirty.slice(0, 5).join(", ") + (prepared.dirty.length > 5 ? ", ..." : "");
    ledger.emit({
      type: "warning",
      message: `uncommitted changes in the main checkout are not in the lanes (${files}); lanes works from the committed HEAD ${prepared.baseCommit.slice(0, 7)}`,
    });
  }
  if (!prepared.baseBranch) {
    ledger.emit({
      type: "warning",
      message: `HEAD is detached: the lanes start from ${prepared.baseCommit.slice(0, 7)}, and --land has no branch to move`,
    });
  }
  // What the checks found worth saying but not refusing (a task run with --only before its
  // dependency is done).
  for (const message of prepared.warnings) ledger.emit({ type: "warning", message });
}

export async function closeRun(
  prepared: PreparedRun,
  ledger: Ledger,
  integration: Integration,
  how: { stoppedBecause: string | undefined; land: boolean; startedAt: number },
): Promise<RunResult> {
  const { state } = ledger;
  const counts = countStatuses(Object.values(state.tasks));
  const interrupted = how.stoppedBecause === "interrupted";
  const failed =
    counts.failed > 0 ||
    counts.skipped > 0 ||
    (how.stoppedBecause !== undefined && counts.pending > 0);
  let landed = false;
  if (!interrupted && !failed && how.land && prepared.baseBranch) {
    // Not landing (a dirty checkout, a moved branch) must not lose the run's records.
    try {
      await fastForward(prepared.git, {
        branch: prepared.baseBranch,
        to: integration.branch,
        mainCheckout: prepared.repoRoot,
      });
      landed = true;
    } catch (error) {
      const hint = error instanceof LanesError && error.hint ? ` (${error.hint})` : "";
      ledger.emit({ type: "warning", message: `not landed: ${(error as Error).message}${hint}` });
    }
  }
  const status = interrupted ? "interrupted" : failed ? "failed" : "done";
  Object.assign(state, { status, finishedAt: Date.now() });
  await ledger.saveNow();
  if (ledger.unsaved) {
    // The run ends all the same: a run.json left saying "running" is resumed as a killed run.
    ledger.emit({
      type: "warning",
      message: `${ledger.unsaved}: the run's record on disk is older than this; \`lanes resume\` continues from it once the disk has room`,
    });
  }
  ledger.emit({
    type: "run_finished",
    status,
    counts,
    durationMs: Date.now() - how.startedAt,
    integrationBranch: integration.branch,
  });
  await ledger.close();
  return buildResult(state, { landed, stoppedBecause: how.stoppedBecause });
}

/** The scheduler over the run's pending tasks, its policy from the settings. */
export function schedulerFor(
  prepared: PreparedRun,
  state: RunState,
  random: () => number,
): Scheduler {
  const toRun = prepared.plan.tasks.filter((task) => state.tasks[task.id]?.status === "pending");
  const scheduled = new Set(toRun.map((task) => task.id));
  return new Scheduler(
    toRun.map((task) => ({
      id: task.id,
      dependsOn: task.depends_on.filter((dep) => scheduled.has(dep)),
      priority: task.priority,
      files: prepared.tasks.get(task.id)?.files ?? [],
    })),
    {
      concurrency: prepared.settings.concurrency,
      mode: prepared.mode,
      retries: prepared.settings.retries,
      backoffMs: (attempt) => backoffMs(attempt, random),
      ...(prepared.batches ? { batches: prepared.batches } : {}),
      overlap: prepared.settings.overlap,
    },
  );
}
