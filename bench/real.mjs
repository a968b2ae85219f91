// The scheduler with real processes: 18-task random DAGs of scripted agents sleeping 1-5 s,
// through the real CLI with worktrees and merges, with and without estimates. Makespan (first
// agent start to last agent end) against the bound, and against the virtual clock on the same
// DAG fed with the agents' measured times, so that what remains is lanes' own overhead. Two DAGs
// of the same kind (seeds 7 and 8), each run --reps times; the medians are quoted.
// Alone: node bench/real.mjs [--quick] [--reps N] (after npm run build).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { lowerBound, simulate } from "../dist/scheduler/simulate.js";
import {
  agentSpan,
  lanes,
  median,
  REPS,
  reproduce,
  row,
  runEvents,
  writeRepo,
} from "./lib/common.mjs";
import { randomDag } from "./lib/random-dag.mjs";

const COMMAND = reproduce("bench/real.mjs");
const CONCURRENCY = 3;

async function realRun(tasks, withEstimates) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lanes-bench-real-"));
  try {
    const repo = writeRepo(
      dir,
      tasks.map((task) => ({ ...task, estimateMs: withEstimates ? task.durationMs : undefined })),
    );
    const result = await lanes(repo, ["run", "--concurrency", String(CONCURRENCY)]);
    if (result.code !== 0) throw new Error(`lanes run failed:\n${result.output}`);
    const { makespanMs, durations } = agentSpan(runEvents(repo));
    const measured = tasks.map((task) => ({ ...task, durationMs: durations.get(task.id) }));
    const policy = withEstimates ? "lanes" : "lanes-no-estimates";
    // The virtual run gets the estimates the real one had (the nominal times), not the measured ones.
    const virtual = simulate(
      measured.map((task) => ({
        ...task,
        estimateMs: tasks.find((t) => t.id === task.id).durationMs,
      })),
      { concurrency: CONCURRENCY, policy },
    ).makespanMs;
    const bound = lowerBound(measured, CONCURRENCY);
    return { real: makespanMs / bound, virtual: virtual / bound };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `reps` runs of one DAG: the median real and virtual figures, and the median of their ratios. */
async function repeated(tasks, withEstimates, reps) {
  const runs = [];
  for (let i = 0; i < reps; i++) runs.push(await realRun(tasks, withEstimates));
  return {
    real: median(runs.map((run) => run.real)),
    virtual: median(runs.map((run) => run.virtual)),
    ratio: median(runs.map((run) => run.real / run.virtual)),
  };
}

export async function benchReal({ n = 18, seeds = [7, 8], reps = REPS } = {}) {
  const rows = [];
  const cases = [
    ...seeds.map((seed) => ({ seed, withEstimates: false })),
    { seed: seeds[0], withEstimates: true },
  ];
  for (const { seed, withEstimates } of cases) {
    const tasks = randomDag({ n, shape: "mixed", seed, minMs: 1000, maxMs: 5000 });
    const { real, virtual, ratio } = await repeated(tasks, withEstimates, reps);
    const label = `${n}-task DAG (seed ${seed}), 1-5 s agents, concurrency ${CONCURRENCY}, ${withEstimates ? "with" : "without"} estimates, median of ${reps}`;
    rows.push(
      row(
        `real run: makespan/bound (${label}); real/virtual ${ratio.toFixed(3)}`,
        real,
        "x bound",
        "virtual clock, same DAG and times",
        virtual,
        "real within 1.03x of virtual",
        COMMAND,
      ),
    );
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchReal());
