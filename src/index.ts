/**
 * lanes' public API. The CLI is a thin shell over these functions: anything it can do, a
 * program can do too, and nothing here prints or calls process.exit.
 */
import { mkdir } from "node:fs/promises";
import { loadSettings } from "./config/load.js";
import { findRepoRoot } from "./git/repo.js";
import { recordPlan } from "./report/html/records.js";
import { type RunResultWithReport, watchRun } from "./report/run-end.js";
import type { PlanOptions, RunOptions } from "./run/options.js";
import { Orchestrator } from "./run/orchestrator.js";
import { type Plan, planTasks } from "./run/plan.js";
import { nothingToRun, prepareRun } from "./run/prepare.js";
import { type ResumeOptions, resume as resumeRun } from "./run/resume.js";
import { settleUnfinishedRun } from "./run/unfinished.js";
import { acquireRepoLock } from "./state/lock.js";
import { runDir } from "./state/run-state.js";
import { loadTasks as loadTaskFiles } from "./tasks/load.js";
import type { Task } from "./tasks/task.js";

export { formatDuration, parseDuration } from "./config/duration.js";
export type { AgentSetting, NotifySetting, Settings, SettingsFile } from "./config/schema.js";
export { SettingsFileSchema } from "./config/schema.js";
export { EXIT, LanesError } from "./errors.js";
export type {
  EventOf,
  FailureReason,
  LanesEvent,
  TaskRunStatus,
  TokenUsage,
} from "./run/events.js";
export type { Plan, PlannedTask } from "./run/plan.js";
export type { Task } from "./tasks/task.js";

/** Loads and validates every task file of the repository that holds `cwd`. */
export async function loadTasks(cwd: string = process.cwd()): Promise<Task[]> {
  return loadTaskFiles(await findRepoRoot(cwd));
}

/** What a run of the selected tasks would do: waves, critical path, cost. Changes nothing. */
export async function plan(options: PlanOptions = {}): Promise<Plan> {
  const repoRoot = await findRepoRoot(options.cwd ?? process.cwd());
  const { settings } = await loadSettings({
    repoRoot,
    ...(options.env ? { env: options.env } : {}),
    ...(options.settings ? { flags: options.settings } : {}),
  });
  const tasks = await loadTaskFiles(repoRoot);
  return planTasks(
    tasks,
    { ids: options.ids ?? [], labels: options.labels ?? [], only: options.only ?? false },
    settings.concurrency,
  );
}

export type { PlanOptions, RunOptions } from "./run/options.js";
export type { RunResult, TaskResult } from "./run/result.js";

/**
 * Runs the selected tasks: every check first (exit-2 errors throw before anything changes),
 * then the agents, each in its own lane, merged into `lanes/run/<id>`. Resolves with the
 * outcome; an abort through `options.signal` ends every agent and resolves with status
 * "interrupted". Never calls process.exit.
 */
export async function run(options: RunOptions = {}): Promise<RunResultWithReport> {
  const prepared = await prepareRun(options);
  if (prepared.plan.tasks.length === 0) return nothingToRun(prepared);
  const lock = await acquireRepoLock(prepared.repoRoot, prepared.runId);
  try {
    await settleUnfinishedRun(
      prepared.repoRoot,
      options.abandonUnfinished ?? false,
      prepared.graceMs,
    );
    // The run's plan beside run.json, and report.html + notifications when it ends.
    await mkdir(runDir(prepared.repoRoot, prepared.runId), { recursive: true });
    await recordPlan(prepared.repoRoot, prepared.runId, prepared.plan).catch(() => {});
    const watch = watchRun(prepared.repoRoot, prepared.settings.notify, options.onEvent);
    const result = await new Orchestrator(prepared, {
      ...options,
      onEvent: watch.onEvent,
    }).execute();
    return await watch.finished(result);
  } finally {
    await lock.release();
  }
}

export type { ResumeChoice, ResumeOptions } from "./run/resume.js";

/**
 * `lanes resume`: continues the latest unfinished run (see run/resume.ts), and then writes its
 * report and sends its notifications as run() does.
 */
export async function resume(options: ResumeOptions = {}): Promise<RunResultWithReport> {
  const repoRoot = await findRepoRoot(options.cwd ?? process.cwd());
  const { settings } = await loadSettings({
    repoRoot,
    ...(options.env ? { env: options.env } : {}),
    ...(options.settings ? { flags: options.settings } : {}),
  });
  const watch = watchRun(repoRoot, settings.notify, options.onEvent);
  return watch.finished(await resumeRun({ ...options, onEvent: watch.onEvent }));
}
export type { ReportModel } from "./report/html/model.js";
export { writeRunReport } from "./report/html/write.js";
export type { RunResultWithReport } from "./report/run-end.js";
export type { RunState, TaskState } from "./state/run-state.js";
export type { FoundRun, RunSummary } from "./state/runs.js";
/** The runs of a repository (newest first) and one run's recorded state, as `lanes status` reads them. */
export { findRun, listRuns } from "./state/runs.js";
