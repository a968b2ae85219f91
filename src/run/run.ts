/**
 * `run()`: a new run of the selected tasks, from the checks to the result. Here rather than in
 * index.ts so that `resume()` (whose `--fresh` starts a new run) imports it without a circle.
 */
import { mkdir } from "node:fs/promises";
import { recordPlan } from "../report/html/records.js";
import { type RunResultWithReport, watchRun } from "../report/run-end.js";
import { runDir } from "../state/layout.js";
import { acquireRepoLock } from "../state/lock.js";
import type { RunOptions } from "./options.js";
import { Orchestrator } from "./orchestrator.js";
import { nothingToRun, prepareRun } from "./prepare.js";
import { writeLandedRecords } from "./records-on-landing.js";
import { settleUnfinishedRun } from "./unfinished.js";

/**
 * Runs the selected tasks: every check first (exit-2 errors throw before anything changes),
 * then the agents, each in its own lane, merged into `lanes/run/<id>`. Resolves with the
 * outcome; an abort through `options.signal` ends every agent and resolves with status
 * "interrupted". Never calls process.exit.
 */
export async function run(options: RunOptions = {}): Promise<RunResultWithReport> {
  const prepared = await prepareRun(options, { writeLandedRecords: true });
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
    // Task files not committed as they ran get their records once the work is in (`--land`).
    if (result.landed) await writeLandedRecords(prepared.git);
    return await watch.finished(result);
  } finally {
    await lock.release();
  }
}
