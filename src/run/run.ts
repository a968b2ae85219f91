/**
 * `run()`: a new run of the selected tasks, from the checks to the result. Here rather than in
 * index.ts so that `resume()` (whose `--fresh` starts a new run) imports it without a circle.
 */

import { acquireRepoLock } from "../state/lock.js";
import type { RunOptions } from "./options.js";
import { Orchestrator } from "./orchestrator.js";
import { nothingToRun, prepareRun } from "./prepare.js";
import { writeLandedRecords } from "./records-on-landing.js";
import type { RunResult } from "./result.js";
import { settleUnfinishedRun } from "./unfinished.js";

/**
 * Runs the selected tasks: every check first (exit-2 errors throw before anything changes),
 * then the agents, each in its own lane, merged into `lanes/run/<id>`. Resolves with the
 * outcome; an abort through `options.signal` ends every agent and resolves with status
 * "interrupted". Never calls process.exit.
 */
export async function run(options: RunOptions = {}): Promise<RunResult> {
  const prepared = await prepareRun(options, { writeLandedRecords: true });
  if (prepared.plan.tasks.length === 0) return nothingToRun(prepared);
  const lock = await acquireRepoLock(prepared.repoRoot, prepared.runId);
  try {
    await settleUnfinishedRun(
      prepared.repoRoot,
      options.abandonUnfinished ?? false,
      prepared.graceMs,
    );
    const result = await new Orchestrator(prepared, options).execute();
    // Task files not committed as they ran get their records once the work is in (`--land`).
    if (result.landed) await writeLandedRecords(prepared.git);
    return result;
  } finally {
    await lock.release();
  }
}
