// Scheduling quality on the virtual clock: random DAGs of 20 to 500 tasks in four shapes,
// makespan / max(critical path, total work / concurrency) for lanes' policy (with and without
// estimates), wave-by-wave scheduling (autospec) and first-come-first-served readiness.
// Alone: node bench/scheduling.mjs (after npm run build).

import { lowerBound, simulate } from "../dist/scheduler/simulate.js";
import { row } from "./lib/common.mjs";
import { randomDag } from "./lib/random-dag.mjs";

const COMMAND = "node bench/scheduling.mjs";
const SIZES = [20, 50, 100, 200, 500];
const SHAPES = ["wide", "deep", "diamonds", "mixed"];
const SEEDS = [1, 2, 3, 4, 5];
const POLICIES = ["lanes", "lanes-no-estimates", "waves", "fcfs"];

export function benchScheduling({ concurrency = 4 } = {}) {
  const sums = Object.fromEntries(POLICIES.map((policy) => [policy, { total: 0, worst: 0 }]));
  let graphs = 0;
  for (const n of SIZES) {
    for (const shape of SHAPES) {
      for (const seed of SEEDS) {
        const tasks = randomDag({ n, shape, seed, minMs: 1000, maxMs: 5000 });
        const bound = lowerBound(tasks, concurrency);
        for (const policy of POLICIES) {
          const ratio = simulate(tasks, { concurrency, policy }).makespanMs / bound;
          sums[policy].total += ratio;
          sums[policy].worst = Math.max(sums[policy].worst, ratio);
        }
        graphs++;
      }
    }
  }
  const mean = (policy) => sums[policy].total / graphs;
  const label = `${graphs} random DAGs, 20-500 tasks, concurrency ${concurrency}`;
  return [
    row(
      `scheduling: makespan/bound, lanes with estimates (${label})`,
      mean("lanes"),
      "x bound",
      "waves (autospec)",
      mean("waves"),
      "<= 1.05 of the bound",
      COMMAND,
    ),
    row(
      `scheduling: makespan/bound, lanes without estimates`,
      mean("lanes-no-estimates"),
      "x bound",
      "waves (autospec)",
      mean("waves"),
      "below waves",
      COMMAND,
    ),
    row(
      `scheduling: makespan/bound, lanes with estimates`,
      mean("lanes"),
      "x bound",
      "first-come-first-served",
      mean("fcfs"),
      "below fcfs",
      COMMAND,
    ),
    row(
      `scheduling: worst makespan/bound, lanes with estimates`,
      sums.lanes.worst,
      "x bound",
      "waves worst",
      sums.waves.worst,
      "",
      COMMAND,
    ),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(benchScheduling());
