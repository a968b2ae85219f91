// Benchmark: the HTML report of a 2,000-task run — its size on disk, and how long Chromium takes
// to show it (HTML and JSON parsed, timeline, graph and table built and laid out). The run is
// generated: a random DAG scheduled on 8 slots with retries and failures, as run.json,
// events.ndjson and plan.json, so that the figure does not depend on running 2,000 agents.
// Baseline: a blank page in the same browser, the floor of any page load.
// Run alone with `node bench/report.mjs` (after `npm run build`); bench/run.mjs can import
// benchReport().
import { existsSync, statSync } from "node:fs";

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { writeRunReport } from "../dist/report/html/write.js";
import { CHROMIUM, launchChromium } from "../scripts/chromium.mjs";
import { median, row } from "./lib/common.mjs";
import { mulberry32 } from "./lib/random-dag.mjs";

const TASKS = 2000;
const SLOTS = 8;
const COMMAND = "npm run build && node bench/report.mjs";

/** A finished run of `count` tasks, as lanes would have recorded it, in `<dir>/repo`. */
export async function generateRun(dir, count = TASKS, seed = 7) {
  const random = mulberry32(seed);
  const below = (k) => Math.floor(random() * k);
  const repoRoot = path.join(dir, "repo");
  const runId = "20250101-120000-b3nc";
  const folder = path.join(repoRoot, ".lanes", "runs", runId);
  await mkdir(path.join(folder, "logs"), { recursive: true });
  const ids = Array.from({ length: count }, (_, i) => `task-${String(i).padStart(4, "0")}`);
  const deps = ids.map((_, i) => {
    const set = new Set();
    for (let d = i === 0 ? 0 : below(3); d > 0; d--) set.add(ids[i - 1 - below(Math.min(i, 30))]);
    return [...set];
  });
  const t0 = Date.UTC(2025, 0, 1, 12);
  const slotFree = Array(SLOTS).fill(t0);
  const finishedAt = new Map();
  const events = [];
  const tasks = {};
  const emit = (time, event) => events.push({ ...event, time, runId });
  emit(t0, {
    type: "run_started",
    tasks: ids,
    concurrency: SLOTS,
    integrationBranch: `lanes/run/${runId}`,
    baseCommit: "0".repeat(40),
    baseBranch: "main",
  });
  for (const [i, id] of ids.entries()) {
    const ready = Math.max(t0, ...deps[i].map((dep) => finishedAt.get(dep)));
    const slot = slotFree.indexOf(Math.min(...slotFree));
    let time = Math.max(ready, slotFree[slot]);
    const start = time;
    const retried = random() < 0.05;
    const failed = random() < 0.02;
    const logPath = path.join(folder, "logs", id, "exec.1.log");
    let attempt = 1;
    if (retried) {
      emit(time, { type: "task_started", taskId: id, phase: "exec", attempt, pgid: 1, logPath });
      time += 20_000 + below(60_000);
      emit(time, { type: "agent_exited", taskId: id, attempt, durationMs: 0, ok: false });
      emit(time, {
        type: "attempt_failed",
        taskId: id,
        attempt,
        reason: "rate_limit",
        detail: "429 Too Many Requests",
        retryInMs: 30_000,
      });
      time += 30_000;
      attempt = 2;
    }
    emit(time, { type: "task_started", taskId: id, phase: "exec", attempt, pgid: 1, logPath });
    time += 60_000 + below(600_000);
    emit(time, { type: "agent_exited", taskId: id, attempt, durationMs: 0, ok: !failed });
    slotFree[slot] = time;
    if (failed) {
      emit(time, {
        type: "attempt_failed",
        taskId: id,
        attempt,
        reason: "exit",
        detail: "exit code 1",
        retryInMs: undefined,
      });
      await mkdir(path.dirname(logPath), { recursive: true });
      await writeFile(
        logPath,
        Array.from(
          { length: 200 },
          (_, k) => `line ${k} of ${id}'s output: compiling, testing, failing`,
        ).join("\n"),
      );
    } else {
      emit(time, { type: "task_step", taskId: id, step: "merging" });
      time += 2_000 + below(8_000);
      emit(time, { type: "task_merged", taskId: id, commit: "f".repeat(40) });
    }
    emit(time, {
      type: "task_finished",
      taskId: id,
      status: failed ? "failed" : "done",
      reason: failed ? "exit" : undefined,
      detail: failed ? "exit code 1" : undefined,
      durationMs: time - start,
      logPath,
    });
    finishedAt.set(id, time);
    tasks[id] = {
      status: failed ? "failed" : "done",
      attempts: attempt,
      branch: `lanes/${id}`,
      worktree: undefined,
      startCommit: undefined,
      reason: failed ? "exit" : undefined,
      detail: failed ? "exit code 1" : undefined,
      startedAt: start,
      finishedAt: time,
      durationMs: time - start,
      logPath,
      agent: undefined,
      mergeCommit: undefined,
      tokens: { input: 20_000 + below(200_000), output: 2_000 + below(20_000) },
      cost: Math.round(random() * 300) / 100,
      sessionId: undefined,
    };
  }
  const end = Math.max(...finishedAt.values());
  emit(end, {
    type: "run_finished",
    status: "failed",
    counts: {},
    durationMs: end - t0,
    integrationBranch: `lanes/run/${runId}`,
  });
  const state = {
    version: 1,
    id: runId,
    status: "failed",
    pid: 1,
    startedAt: t0,
    finishedAt: end,
    repoRoot,
    baseCommit: "0".repeat(40),
    baseBranch: "main",
    integrationBranch: `lanes/run/${runId}`,
    worktreeRoot: path.join(dir, "worktrees"),
    options: {
      mode: "parallel",
      concurrency: SLOTS,
      retries: 1,
      timeout: "30m",
      batches: undefined,
      land: false,
    },
    order: ids,
    tasks,
  };
  await writeFile(path.join(folder, "run.json"), JSON.stringify(state));
  await writeFile(
    path.join(folder, "events.ndjson"),
    `${events.map((e) => JSON.stringify(e)).join("\n")}\n`,
  );
  await writeFile(
    path.join(folder, "plan.json"),
    JSON.stringify({
      tasks: ids.map((id, i) => ({
        id,
        title: `Generated task ${i}: change the ${id} module and its tests`,
        depends_on: deps[i],
      })),
    }),
  );
  return { repoRoot, runId };
}

async function timeInChromium(file, runs) {
  // The floor: a page that only says when it is ready, timed the same way.
  const blankFile = path.join(path.dirname(file), "blank.html");
  await writeFile(
    blankFile,
    "<!doctype html><body><script>document.body.setAttribute('data-ready-ms', String(Math.round(performance.now())))</script>",
  );
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const ready = [];
    const blank = [];
    for (let i = 0; i < runs; i++) {
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector("body[data-rendered]", { timeout: 60_000 });
      ready.push(Number(await page.getAttribute("body", "data-ready-ms")));
      await page.goto(pathToFileURL(blankFile).href);
      await page.waitForSelector("body[data-ready-ms]", { state: "attached" });
      blank.push(Number(await page.getAttribute("body", "data-ready-ms")));
    }
    return { readyMs: median(ready), blankMs: median(blank) };
  } finally {
    await browser.close();
  }
}

export async function benchReport() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "lanes-bench-report-"));
  try {
    const { repoRoot, runId } = await generateRun(dir);
    const started = performance.now();
    const file = await writeRunReport(repoRoot, runId);
    const writeMs = performance.now() - started;
    const kb = Math.round(statSync(file).size / 1024);
    const rows = [
      row(`report.html size, ${TASKS} tasks`, kb, "KB", "", undefined, "< 2048 KB", COMMAND),
      row(`report.html written, ${TASKS} tasks`, writeMs, "ms", "", undefined, "", COMMAND),
    ];
    if (!existsSync(CHROMIUM)) {
      rows.push(
        row(
          `report shown in Chromium, ${TASKS} tasks`,
          `skipped: ${CHROMIUM} missing`,
          "ms",
          "",
          undefined,
          "< 1 s",
          COMMAND,
        ),
      );
      return rows;
    }
    const { readyMs, blankMs } = await timeInChromium(file, 3);
    rows.push(
      row(
        `report shown in Chromium, ${TASKS} tasks`,
        readyMs,
        "ms",
        "a blank page",
        blankMs,
        "< 1 s",
        COMMAND,
      ),
    );
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const r of await benchReport()) {
    console.log(
      `${r.name}: ${typeof r.value === "number" ? Math.round(r.value) : r.value} ${r.unit} (goal ${r.goal})${r.baseline ? `; baseline ${r.baseline}: ${Math.round(r.baselineValue)} ${r.unit}` : ""}`,
    );
  }
}
