// Agent-slot use: how close to the concurrency the number of running agents stays, from the
// run's events.ndjson (each agent from task_started to agent_exited; time-averaged running agents
// from the first start to the last exit, over the concurrency). Two runs: many equal independent
// 1 s tasks, and the load case of issue 16 — a large random DAG — which must also merge every task
// with nothing left behind (checked). The baseline is the virtual clock on the same tasks with the
// agents' measured times: what scheduling alone allows, so that what is missing is lanes' own cost.
// Alone: node bench/slots.mjs [--quick] [--reps N] (after npm run build).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { simulate } from "../dist/scheduler/simulate.js";
import {
  agentSpan,
  git,
  lanes,
  median,
  REPS,
  reproduce,
  row,
  runEvents,
  size,
  slotUse,
  writeRepo,
} from "./lib/common.mjs";
import { randomDag } from "./lib/random-dag.mjs";

const COMMAND = reproduce("bench/slots.mjs");

/** Agents that sleep their task's time (from a file named after the task) and write one file. */
function sleepingAgent(dir, tasks) {
  const durations = path.join(dir, "durations");
  mkdirSync(durations, { recursive: true });
  for (const task of tasks) {
    writeFileSync(path.join(durations, task.id), (task.durationMs / 1000).toFixed(3));
  }
  return [
    "sh",
    "-c",
    `sleep "$(cat "${durations}/$LANES_TASK_ID")"; echo done > "out-$LANES_TASK_ID.txt"`,
  ];
}

/** Utilisation the virtual clock reaches on the same tasks with the measured agent times. */
function virtualUse(tasks, durations, concurrency) {
  const measured = tasks.map((task) => ({ ...task, durationMs: durations.get(task.id) }));
  const { makespanMs } = simulate(measured, { concurrency, policy: "lanes-no-estimates" });
  const work = measured.reduce((sum, task) => sum + task.durationMs, 0);
  return work / makespanMs / concurrency;
}

/** Processes that still carry the run's id in their environment: an agent's leftovers. */
function processesOf(runId) {
  const marker = `LANES_RUN_ID=${runId}`;
  let found = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2))) continue;
      if (readFileSync(`/proc/${entry}/environ`).includes(marker)) found++;
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

/**
 * What a finished run left that it should not have: tasks not merged or whose file is missing
 * from the integration branch, worktrees, lane branches, lane folders, processes. The worktree
 * pool (`.pool/`) is meant to outlive a run (the next run's lanes come from it) and is not
 * counted; `lanes clean` removes it.
 */
function leftovers(repo, dir, tasks, events) {
  const finished = events.find((event) => event.type === "run_finished");
  const merged = new Set(events.filter((e) => e.type === "task_merged").map((e) => e.taskId));
  const onBranch = new Set(
    git(repo, "ls-tree", "--name-only", finished.integrationBranch).split("\n"),
  );
  const problems = [];
  for (const task of tasks) {
    if (!merged.has(task.id) || !onBranch.has(`out-${task.id}.txt`))
      problems.push(`${task.id} not merged`);
  }
  const worktrees = git(repo, "worktree", "list", "--porcelain")
    .split("\n")
    .filter(
      (line) => line.startsWith("worktree ") && !line.includes(`${path.sep}.pool${path.sep}`),
    );
  if (worktrees.length !== 1) problems.push(`${worktrees.length - 1} worktrees`);
  const branches = git(repo, "branch", "--list", "--format=%(refname:short)")
    .split("\n")
    .filter((name) => name && name !== "main" && !name.startsWith("lanes/run/"));
  if (branches.length) problems.push(`branches ${branches.join(" ")}`);
  let folders = [];
  try {
    folders = readdirSync(path.join(dir, "worktrees", "repo")).filter((name) => name !== ".pool");
  } catch {
    // No lane folder at all.
  }
  if (folders.length) problems.push(`lane folders ${folders.join(" ")}`);
  const processes = processesOf(finished.runId);
  if (processes) problems.push(`${processes} processes`);
  return problems;
}

async function measure(name, tasks, concurrency) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `lanes-bench-slots-${name}-`));
  try {
    const repo = writeRepo(dir, tasks, {
      concurrency,
      agent: { command: sleepingAgent(dir, tasks) },
    });
    const run = await lanes(repo, ["run"]);
    if (run.code !== 0) throw new Error(`lanes run failed:\n${run.output.slice(-2000)}`);
    const events = runEvents(repo);
    const { durations } = agentSpan(events);
    return {
      ...slotUse(events, concurrency),
      virtual: virtualUse(tasks, durations, concurrency),
      problems: leftovers(repo, dir, tasks, events),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchSlots({
  equal = size(128, 32),
  equalMs = 1000,
  load = size(300, 48),
  concurrency = 16,
  seed = 16,
  reps = REPS,
} = {}) {
  const rows = [];
  const flat = Array.from({ length: equal }, (_, i) => ({
    id: `t${String(i).padStart(3, "0")}`,
    dependsOn: [],
    durationMs: equalMs,
  }));
  // Repeated (--reps), the median quoted: on a shared machine one run says little.
  const runs = [];
  for (let i = 0; i < reps; i++) {
    const run = await measure("equal", flat, concurrency);
    if (run.problems.length) throw new Error(`the ${equal}-task run left: ${run.problems}`);
    runs.push(run);
  }
  const one = {
    utilisation: median(runs.map((run) => run.utilisation)),
    virtual: median(runs.map((run) => run.virtual)),
    maxRunning: Math.max(...runs.map((run) => run.maxRunning)),
  };
  const each = runs.map((run) => run.utilisation.toFixed(3)).join(", ");
  rows.push(
    row(
      `agent-slot use: ${equal} independent ${equalMs / 1000} s tasks, concurrency ${concurrency} (at most ${one.maxRunning} agents at once; median of ${reps}: ${each})`,
      one.utilisation,
      "of the slots",
      "virtual clock, same tasks and agent times",
      one.virtual,
      ">= 0.90",
      COMMAND,
    ),
  );
  const dag = randomDag({ n: load, shape: "mixed", seed, minMs: 1000, maxMs: 3000 });
  const big = await measure("load", dag, concurrency);
  rows.push(
    row(
      `load: agent-slot use, ${load} tasks with random dependencies, 1-3 s agents, concurrency ${concurrency} (at most ${big.maxRunning} agents at once)`,
      big.utilisation,
      "of the slots",
      "virtual clock, same DAG and agent times",
      big.virtual,
      "close to the virtual clock",
      COMMAND,
    ),
    row(
      `load: most agents running at once, ${load} tasks, concurrency ${concurrency}`,
      big.maxRunning,
      "agents",
      "the concurrency",
      concurrency,
      "= the concurrency",
      COMMAND,
    ),
    row(
      `load: problems after the ${load}-task run (unmerged tasks, worktrees, branches, lane folders, processes)`,
      big.problems.length,
      "problems",
      "none",
      0,
      `0${big.problems.length ? ` — ${big.problems.slice(0, 5).join("; ")}` : ""}`,
      COMMAND,
    ),
  );
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchSlots());
