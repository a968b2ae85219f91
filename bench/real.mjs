// The scheduler with real processes: an 18-task random DAG of scripted agents sleeping 1-5 s,
// through the real CLI with worktrees and merges, with and without estimates. Makespan (first
// agent start to last agent end) against the bound, and against the virtual clock on the same
// DAG fed with the agents' measured times, so that what remains is lanes' own overhead.
// Alone: node bench/real.mjs (after npm run build).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { lowerBound, simulate } from "../dist/scheduler/simulate.js";
import { agentSpan, lanes, row, runEvents, writeRepo } from "./lib/common.mjs";
import { randomDag } from "./lib/random-dag.mjs";

const COMMAND = "node bench/real.mjs";
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
    return { makespanMs, bound: lowerBound(measured, CONCURRENCY), virtual };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchReal({ n = 18, seed = 7 } = {}) {
  const tasks = randomDag({ n, shape: "mixed", seed, minMs: 1000, maxMs: 5000 });
  const rows = [];
  for (const withEstimates of [false, true]) {
    const { makespanMs, bound, virtual } = await realRun(tasks, withEstimates);
    const label = `${n}-task DAG, 1-5 s agents, concurrency ${CONCURRENCY}, ${withEstimates ? "with" : "without"} estimates`;
    rows.push(
      row(
        `real run: makespan/bound (${label})`,
        makespanMs / bound,
        "x bound",
        "virtual clock, same DAG and times",
        virtual / bound,
        withEstimates
          ? "real within 1.03x of virtual"
          : "<= 1.28x bound; real within 1.03x of virtual",
        COMMAND,
      ),
    );
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchReal());
