// lanes' own overhead: independent tasks whose agent does nearly nothing (writes one file), at
// several sizes and concurrencies, against the bare script a user would write instead — git
// worktree add, agent, commit, git worktree remove under xargs -P (flock around the worktree
// metadata), then git merge of every branch — and the critical-path latency: a chain of
// dependent no-op tasks against a sequential script doing add, agent, commit, remove, merge per
// task. Each pair is run A B A B and compared on medians. The chain's steps (from events.ndjson)
// are printed too: where a task's time goes between one agent's exit and the next one's start.
// Alone: node bench/overhead.mjs [--quick] [--reps N] (after npm run build).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { NOOP_AGENT, runChainScript, runParallelScript, scriptRepo } from "./lib/baseline.mjs";
import {
  interleaved,
  lanes,
  median,
  REPS,
  reproduce,
  row,
  runEvents,
  size,
  writeRepo,
} from "./lib/common.mjs";

const COMMAND = reproduce("bench/overhead.mjs");

// The full section takes a quarter of an hour: each figure is shown as soon as it is measured.
const progress = (r) =>
  process.stderr.write(
    `bench:   ${r.name}: ${r.value.toFixed(0)} ms vs ${r.baselineValue.toFixed(0)} ms = ${r.ratio.toFixed(3)}\n`,
  );

const ids = (count) => Array.from({ length: count }, (_, i) => `t${String(i).padStart(3, "0")}`);

/** One lanes run of `tasks` in a fresh repository; its wall time, or an error if it failed. */
async function lanesRun(dir, tasks, concurrency, onEvents) {
  const repo = writeRepo(dir, tasks, { concurrency, agent: { command: NOOP_AGENT } });
  const run = await lanes(repo, ["run"]);
  if (run.code !== 0) throw new Error(`lanes run failed:\n${run.output.slice(-2000)}`);
  onEvents?.(runEvents(repo));
  return run.ms;
}

/**
 * Where a chain's time goes, from events.ndjson: per task, each step from the previous task's
 * end to this one's, and lanes' fixed cost (start-up before the first lane, the end after the
 * last task). `dependent` is the path this benchmark is about: an agent's exit to its
 * dependent's agent start.
 */
function chainSteps(events, ids) {
  const at = (type, id, step) =>
    events.find(
      (e) => e.type === type && e.taskId === id && (step === undefined || e.step === step),
    )?.time;
  const steps = {
    "agent exit -> commit done (merging)": [],
    "merging -> merged": [],
    "merged -> next lane ready": [],
    "lane ready -> agent started": [],
    "agent exit -> dependent's agent started": [],
  };
  ids.forEach((id, i) => {
    const exited = at("agent_exited", id);
    steps["agent exit -> commit done (merging)"].push(at("task_step", id, "merging") - exited);
    steps["merging -> merged"].push(at("task_merged", id) - at("task_step", id, "merging"));
    const next = ids[i + 1];
    if (next === undefined) return;
    steps["merged -> next lane ready"].push(at("lane_ready", next) - at("task_merged", id));
    steps["lane ready -> agent started"].push(at("task_started", next) - at("lane_ready", next));
    steps["agent exit -> dependent's agent started"].push(at("task_started", next) - exited);
  });
  return steps;
}

async function overhead(dir, count, concurrency, reps) {
  const tasks = ids(count).map((id) => ({ id, dependsOn: [], durationMs: 0 }));
  const { a, b } = await interleaved(
    reps,
    (i) => lanesRun(path.join(dir, `lanes-${count}-${concurrency}-${i}`), tasks, concurrency),
    (i) => {
      const repo = scriptRepo(path.join(dir, `hand-${count}-${concurrency}-${i}`, "repo"));
      return runParallelScript(repo, ids(count), { concurrency }).ms;
    },
  );
  return row(
    `overhead: wall time, ${count} near-empty tasks, concurrency ${concurrency} (lanes merges, records, verifies; median of ${reps})`,
    a,
    "ms",
    "script: worktree add + agent + commit + remove under xargs -P, then merge each",
    b,
    "<= 1.00x",
    COMMAND,
  );
}

async function chain(dir, length, reps) {
  const chainIds = ids(length);
  const tasks = chainIds.map((id, i) => ({
    id,
    dependsOn: i ? [chainIds[i - 1]] : [],
    durationMs: 0,
  }));
  const steps = [];
  const { a, b } = await interleaved(
    reps,
    (i) =>
      lanesRun(path.join(dir, `chain-lanes-${i}`), tasks, 4, (events) =>
        steps.push(chainSteps(events, chainIds)),
      ),
    (i) => runChainScript(scriptRepo(path.join(dir, `chain-hand-${i}`, "repo")), chainIds),
  );
  const stepMedian = (name) => median(steps.flatMap((run) => run[name]));
  for (const name of Object.keys(steps[0])) {
    process.stderr.write(
      `bench:   chain step ${name}: ${stepMedian(name).toFixed(0)} ms (median)\n`,
    );
  }
  return [
    row(
      `critical-path latency: a chain of ${length} dependent no-op tasks, per task (median of ${reps})`,
      a / length,
      "ms",
      "sequential script: worktree add, agent, commit, remove, merge per task",
      b / length,
      "<= 1.00x",
      COMMAND,
    ),
    row(
      "critical path inside the run: an agent's exit to its dependent's agent start (median step, events.ndjson)",
      stepMedian("agent exit -> dependent's agent started"),
      "ms",
      "the sequential script's whole time per task (add, agent, commit, remove, merge)",
      b / length,
      "",
      COMMAND,
    ),
  ];
}

export async function benchOverhead({
  counts = size([40, 100], [12]),
  concurrencies = size([3, 4, 8], [4]),
  chainLength = size(20, 6),
  reps = REPS,
} = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lanes-bench-overhead-"));
  try {
    const rows = [];
    for (const count of counts) {
      for (const concurrency of concurrencies) {
        process.stderr.write(`bench: overhead ${count} tasks, concurrency ${concurrency}\n`);
        rows.push(await overhead(dir, count, concurrency, reps));
        progress(rows.at(-1));
      }
    }
    const chainRows = await chain(dir, chainLength, reps);
    rows.push(...chainRows);
    chainRows.forEach(progress);
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchOverhead());
