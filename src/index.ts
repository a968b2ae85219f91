/**
 * lanes' public API. The CLI is a thin shell over these functions: anything it can do, a
 * program can do too, and nothing here prints or calls process.exit.
 */
import { loadSettings } from "./config/load.js";
import { findRepoRoot } from "./git/repo.js";
import { Git } from "./git/runner.js";
import type { RunResultWithReport } from "./report/run-end.js";
import { watchRun } from "./report/run-end.js";
import { collectTasks, withGithubPlan } from "./run/github-tasks.js";
import type { PlanOptions } from "./run/options.js";
import { type Plan, planTasks } from "./run/plan.js";
import { landRecords, withLandedStatus } from "./run/records-on-landing.js";
import { type ResumeOptions, resume as resumeRun } from "./run/resume.js";
import { loadTasks as loadTaskFiles } from "./tasks/load.js";
import type { Task } from "./tasks/task.js";

export { formatDuration, parseDuration } from "./config/duration.js";
export type { LaneSetting } from "./config/lane-setting.js";
export type { AgentSetting, NotifySetting, Settings, SettingsFile } from "./config/schema.js";
export { SettingsFileSchema } from "./config/schema.js";
export { EXIT, LanesError } from "./errors.js";
export type {
  EventOf,
  FailureReason,
  LandingStep,
  LanesEvent,
  TaskRunStatus,
  TokenUsage,
} from "./run/events.js";
export type { Plan, PlannedTask } from "./run/plan.js";
export type { PlanOverlap } from "./run/plan-overlap.js";
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
  // Tasks whose records wait for a landing that has happened count as done (records-on-landing.ts).
  const landed = await landRecords(new Git(repoRoot), { write: false });
  const files = withLandedStatus(await loadTaskFiles(repoRoot), landed);
  // Issue numbers among the ids (and `--github --label`) add GitHub issues to the task files.
  const env = options.env ?? process.env;
  const collected = await collectTasks(repoRoot, options, settings, env, files);
  return withGithubPlan(
    planTasks(collected.tasks, collected.request, settings.concurrency, settings.overlap),
    collected.github,
  );
}

// Reading runs back, checking and setting up: what `lanes status`, `logs`, `clean`,
// `run --dry-run` and `init` call, so that a program can do the same.
export type { CleanAction, CleanOptions, CleanResult, KeptItem } from "./clean/clean.js";
/** Removes what finished runs left behind; `dryRun` says what it would remove. */
export { clean } from "./clean/clean.js";
export type { InitEntry, InitOptions, InitResult } from "./init.js";
/** Sets a repository up for lanes: settings, an example task, run data kept out of git. */
export { init } from "./init.js";
export type { LogChunk, LogsOptions } from "./logs/logs.js";
/** A task's log as an async iterator of chunks; `follow` goes on while the task runs. */
export { logs } from "./logs/logs.js";
export type { WorkerEvent, WorkerOptions } from "./queue/worker.js";
export type { CheckResult } from "./run/check.js";
/** Every up-front check of a run (what `lanes run --dry-run` does), starting nothing. */
export { check } from "./run/check.js";
export type { PlanOptions, RunOptions } from "./run/options.js";
export type { RunResult, TaskResult } from "./run/result.js";
export type { ResumeChoice, ResumeOptions } from "./run/resume.js";
export { run } from "./run/run.js";

/**
 * `lanes worker`: runs queued lanes for `run({ settings: { queue } })` coordinators until the
 * signal aborts (queue/worker.ts). BullMQ is loaded only here, so a run without a queue never
 * loads it.
 */
export async function worker(
  options: import("./queue/worker.js").WorkerOptions = {},
): Promise<void> {
  const { worker: runWorker } = await import("./queue/worker.js");
  return runWorker(options);
}

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
export type { Dashboard } from "./dashboard/server.js";
/**
 * The read-only dashboard of a repository's runs (`lanes serve`), on 127.0.0.1 with a token.
 * Its web server (hono) is loaded on first use: a run without `--ui` never needs it.
 */
export async function serve(
  options: { cwd?: string; port?: number } = {},
): Promise<import("./dashboard/server.js").Dashboard> {
  const dashboard = await import("./dashboard/server.js");
  return dashboard.serve(options);
}
export type { ReportModel } from "./report/html/model.js";
export type { ReportOptions } from "./report/html/write.js";
/** Writes a run's self-contained report.html (`lanes report`); returns its path. */
export { report, writeRunReport } from "./report/html/write.js";
export type { RunResultWithReport } from "./report/run-end.js";
export type { RunState, TaskState } from "./state/run-state.js";
export type { FoundRun, RunSummary } from "./state/runs.js";
/** The runs of a repository (newest first) and one run's recorded state, as `lanes status` reads them. */
export { findRun, listRuns } from "./state/runs.js";
export type { RunLeft, StatusJson, StatusOptions } from "./status/status.js";
/** One run read back with what lanes derives from it: what `lanes status --json` prints. */
export { status } from "./status/status.js";
