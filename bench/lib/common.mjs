// Shared pieces of the benchmarks: the built CLI, clean environments, temporary repositories
// whose tasks the scripted agent works on, the events a run wrote, the quick/full sizes and the
// A B A B interleaving that keeps a noisy machine from deciding a ratio.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CLI = path.join(ROOT, "dist", "cli", "main.js");
export const SCRIPTED_AGENT = path.join(ROOT, "dist", "agents", "scripted-agent.js");
export const CORES = os.cpus().length;

/**
 * `--quick` (or LANES_BENCH_QUICK=1): every section at sizes that run in about a minute, for
 * checking the benchmark itself; the figures worth quoting come from the full sizes.
 */
export const QUICK = process.argv.includes("--quick") || process.env.LANES_BENCH_QUICK === "1";

/** How many A B pairs each interleaved figure takes: `--reps N`, LANES_BENCH_REPS, else 3 (quick 1). */
export const REPS = (() => {
  const flag = process.argv.indexOf("--reps");
  const wanted = Number(flag >= 0 ? process.argv[flag + 1] : process.env.LANES_BENCH_REPS);
  return Number.isInteger(wanted) && wanted > 0 ? wanted : QUICK ? 1 : 3;
})();

/** The full size, or the quick one under --quick. */
export const size = (full, quick) => (QUICK ? quick : full);

/** The command that reproduces a section alone, at the sizes this run used. */
export const reproduce = (script) => `node ${script}${QUICK ? " --quick" : ""}`;

/**
 * Runs `a` and `b` alternately (A B A B ...) `reps` times each: a burst of load from elsewhere
 * hits both sides alike. Returns every measurement (`as`, `bs`) and, when they are numbers, the
 * median of each side (`a`, `b`).
 */
export async function interleaved(reps, a, b) {
  const as = [];
  const bs = [];
  for (let i = 0; i < reps; i++) {
    as.push(await a(i));
    bs.push(await b(i));
  }
  const numbers = (values) => values.every((value) => typeof value === "number");
  return {
    a: numbers(as) ? median(as) : undefined,
    b: numbers(bs) ? median(bs) : undefined,
    as,
    bs,
  };
}

/** The environment of a user running lanes in CI: no LANES_* leaking in, no user settings. */
export function cleanEnv(extra = {}) {
  const env = { ...process.env, CI: "1", NO_COLOR: "1" };
  for (const name of Object.keys(env)) if (name.startsWith("LANES_")) delete env[name];
  return { ...env, LANES_USER_SETTINGS: "/nonexistent/lanes-settings.json", ...extra };
}

export function git(cwd, ...args) {
  return execFileSync("git", args, { cwd, encoding: "utf8" });
}

/**
 * Runs the CLI to the end; `onSpawn` gets the child (to sample its memory, say); `nodeArgs` go
 * before the CLI's path (a `--require` preload that measures the lanes process, say).
 */
export function lanes(cwd, args, { onSpawn, env, nodeArgs = [] } = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], {
      cwd,
      env: cleanEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      if (output.length < 1_000_000) output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      if (output.length < 1_000_000) output += chunk;
    });
    onSpawn?.(child);
    child.on("close", (code) => resolve({ code, output, ms: performance.now() - started }));
  });
}

/**
 * A committed repository at `<dir>/repo` whose tasks the scripted agent works on:
 * `tasks` = [{ id, dependsOn, durationMs, estimateMs?, step? }]; worktrees go to `<dir>/worktrees`.
 */
export function writeRepo(dir, tasks, settings = {}) {
  const repo = path.join(dir, "repo");
  mkdirSync(path.join(repo, ".lanes", "tasks"), { recursive: true });
  const script = {};
  for (const task of tasks) {
    const estimate = task.estimateMs ? `estimate: ${Math.round(task.estimateMs)}ms\n` : "";
    writeFileSync(
      path.join(repo, ".lanes", "tasks", `${task.id}.md`),
      `---\ntitle: Task ${task.id}\ndepends_on: [${task.dependsOn.join(", ")}]\n${estimate}---\nWrite ${task.id}.txt\n`,
    );
    script[task.id] = {
      sleepMs: task.durationMs,
      files: { [`${task.id}.txt`]: `${task.id}\n` },
      ...(task.step ?? {}),
    };
  }
  const plan = path.join(dir, "script.json");
  writeFileSync(plan, JSON.stringify(script));
  writeFileSync(
    path.join(repo, ".lanes", "settings.json"),
    JSON.stringify({
      concurrency: 3,
      timeout: "10m",
      worktreeDir: path.join(dir, "worktrees"),
      agent: {
        command: [process.execPath, SCRIPTED_AGENT],
        env: { LANES_SCRIPT_PLAN: plan, LANES_SCRIPT_SLEEP_MS: "0" },
      },
      ...settings,
    }),
  );
  git(repo, "init", "--quiet", "--initial-branch=main");
  git(repo, "config", "user.name", "bench");
  git(repo, "config", "user.email", "bench@lanes.invalid");
  git(repo, "add", "-A");
  git(repo, "commit", "--quiet", "-m", "bench tasks");
  return repo;
}

/** Every event of the repository's newest run. */
export function runEvents(repo) {
  const runs = path.join(repo, ".lanes", "runs");
  if (!existsSync(runs)) return [];
  const ids = readdirSync(runs, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const file = path.join(runs, ids.at(-1), "events.ndjson");
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** First agent start to last agent end, and each task's measured agent time. */
export function agentSpan(events) {
  const starts = new Map();
  const durations = new Map();
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const event of events) {
    if (event.type === "task_started") {
      starts.set(event.taskId, event.time);
      first = Math.min(first, event.time);
    }
    if (event.type === "agent_exited") {
      last = Math.max(last, event.time);
      durations.set(event.taskId, event.time - starts.get(event.taskId));
    }
  }
  return { makespanMs: last - first, durations };
}

export function row(name, value, unit, baseline, baselineValue, goal, command) {
  return {
    name,
    value,
    unit,
    baseline,
    baselineValue,
    ratio: baselineValue ? value / baselineValue : undefined,
    goal,
    cores: CORES,
    command,
  };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Agent-slot use of a run from its events: each agent runs from its `task_started` to the
 * `agent_exited` of the same task and attempt. `utilisation` is the time-averaged number of
 * running agents from the first start to the last exit, over the concurrency; `maxRunning` the
 * most agents ever running at once.
 */
export function slotUse(events, concurrency) {
  const open = new Map();
  const edges = [];
  for (const event of events) {
    const key = `${event.taskId}\0${event.attempt}`;
    if (event.type === "task_started") open.set(key, event.time);
    if (event.type === "agent_exited" && open.has(key)) {
      edges.push([open.get(key), 1], [event.time, -1]);
      open.delete(key);
    }
  }
  // Exits before starts at the same millisecond: a slot handed over is not two agents at once.
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let running = 0;
  let maxRunning = 0;
  let busy = 0;
  for (let i = 0; i < edges.length; i++) {
    running += edges[i][1];
    maxRunning = Math.max(maxRunning, running);
    if (i + 1 < edges.length) busy += running * (edges[i + 1][0] - edges[i][0]);
  }
  const span = edges.length ? edges.at(-1)[0] - edges[0][0] : 0;
  return { utilisation: span ? busy / span / concurrency : 0, maxRunning, spanMs: span };
}
