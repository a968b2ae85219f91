// lanes' own overhead: independent tasks whose agent does nearly nothing (writes one file), at
// several sizes and concurrencies, against the bare script a user would write instead — git
// worktree add, agent, commit, git worktree remove under xargs -P (flock around the worktree
// metadata), then git merge of every branch — and the critical-path latency: a chain of
// dependent no-op tasks against a sequential script doing add, agent, commit, remove, merge per
// task. Each pair is run A B A B and compared on medians.
// Alone: node bench/overhead.mjs [--quick] [--reps N] (after npm run build).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { NOOP_AGENT, runChainScript, runParallelScript, scriptRepo } from "./lib/baseline.mjs";
import { interleaved, lanes, REPS, reproduce, row, size, writeRepo } from "./lib/common.mjs";

const COMMAND = reproduce("bench/overhead.mjs");

// The full section takes a quarter of an hour: each figure is shown as soon as it is measured.
const progress = (r) =>
  process.stderr.write(
    `bench:   ${r.name}: ${r.value.toFixed(0)} ms vs ${r.baselineValue.toFixed(0)} ms = ${r.ratio.toFixed(3)}\n`,
  );

const ids = (count) => Array.from({ length: count }, (_, i) => `t${String(i).padStart(3, "0")}`);

/** One lanes run of `tasks` in a fresh repository; its wall time, or an error if it failed. */
async function lanesRun(dir, tasks, concurrency) {
  const repo = writeRepo(dir, tasks, { concurrency, agent: { command: NOOP_AGENT } });
  const run = await lanes(repo, ["run"]);
  if (run.code !== 0) throw new Error(`lanes run failed:\n${run.output.slice(-2000)}`);
  return run.ms;
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
  const { a, b } = await interleaved(
    reps,
    (i) => lanesRun(path.join(dir, `chain-lanes-${i}`), tasks, 4),
    (i) => runChainScript(scriptRepo(path.join(dir, `chain-hand-${i}`, "repo")), chainIds),
  );
  return row(
    `critical-path latency: a chain of ${length} dependent no-op tasks, per task (median of ${reps})`,
    a / length,
    "ms",
    "sequential script: worktree add, agent, commit, remove, merge per task",
    b / length,
    "<= 1.00x",
    COMMAND,
  );
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
    rows.push(await chain(dir, chainLength, reps));
    progress(rows.at(-1));
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchOverhead());
