// Benchmark: `lanes plan --json` on 2,000 generated task files, and `lanes --help` start-up.
// Each figure comes with a baseline measured in the same run on the same machine: the floor that
// any tool doing the same job pays (starting Node; listing and reading the task files).
// Run alone with `node bench/plan.mjs` (after `npm run build`); bench/run.mjs imports benchPlan().
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { mulberry32 } from "./lib/random-dag.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist", "cli", "main.js");

/**
 * The text of `count` task files forming a random DAG: each task depends on up to three earlier
 * ones, mostly close by (long chains) and sometimes anywhere (wide fan-in). About half carry an
 * estimate, so that the critical path is weighed in time.
 */
export function generateTasks(count, seed) {
  const random = mulberry32(seed);
  const below = (k) => Math.floor(random() * k);
  const width = String(count).length;
  const ids = Array.from({ length: count }, (_, i) => `task-${String(i).padStart(width, "0")}`);
  const labels = ["backend", "frontend", "db", "docs", "infra"];
  const files = {};
  ids.forEach((id, i) => {
    const deps = new Set();
    const wanted = i === 0 ? 0 : below(4);
    for (let d = 0; d < wanted; d++) {
      deps.add(ids[random() < 0.7 ? i - 1 - below(Math.min(i, 40)) : below(i)]);
    }
    const front = [
      `title: Generated task ${i}`,
      `depends_on: [${[...deps].join(", ")}]`,
      `labels: [${labels[below(labels.length)]}]`,
      ...(random() < 0.5 ? [`estimate: ${5 + below(120)}m`] : []),
    ];
    files[`${id}.md`] =
      `---\n${front.join("\n")}\n---\nImplement part ${i} of the generated project.\n\n` +
      "Keep the change small, add a test, and run the test suite before finishing.\n";
  });
  return files;
}

function git(cwd, args) {
  execFileSync("git", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
}

async function makeRepo(count, seed) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "lanes-bench-"));
  const root = path.join(dir, "repo");
  const tasksDir = path.join(root, ".lanes", "tasks");
  await mkdir(tasksDir, { recursive: true });
  git(root, ["init", "--quiet", "--initial-branch=main"]);
  git(root, ["config", "user.name", "lanes bench"]);
  git(root, ["config", "user.email", "bench@example.com"]);
  git(root, ["config", "commit.gpgsign", "false"]);
  await writeFile(path.join(root, "README.md"), "# generated project\n");
  for (const [name, text] of Object.entries(generateTasks(count, seed))) {
    await writeFile(path.join(tasksDir, name), text);
  }
  git(root, ["add", "-A"]);
  git(root, ["commit", "--quiet", "-m", "generated tasks"]);
  return { dir, root };
}

const ENV = (() => {
  const env = { ...process.env, NO_COLOR: "1" };
  for (const name of Object.keys(env)) if (name.startsWith("LANES_")) delete env[name];
  // Keep the user's own settings out of the figures.
  env.LANES_USER_SETTINGS = path.join(os.tmpdir(), "lanes-bench-no-user-settings.json");
  return env;
})();

/** Wall time of one process, start to exit, in ms; a failed run is an error, not a figure. */
function timeProcess(argv, cwd) {
  const started = performance.now();
  const result = spawnSync(argv[0], argv.slice(1), {
    cwd,
    env: ENV,
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
  });
  const elapsed = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`${argv.join(" ")} exited ${result.status}: ${result.stderr}`);
  }
  return { elapsed, stdout: result.stdout.toString() };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median wall time of `runs` runs after one warm-up run (file cache, compile cache). */
function measure(argv, cwd, runs) {
  timeProcess(argv, cwd);
  return median(Array.from({ length: runs }, () => timeProcess(argv, cwd).elapsed));
}

const round = (ms) => Math.round(ms * 10) / 10;

function row(name, value, baseline, baselineValue, goal, command) {
  return {
    name,
    value: round(value),
    unit: "ms",
    baseline,
    baselineValue: round(baselineValue),
    ratio: Math.round((value / baselineValue) * 100) / 100,
    goal,
    command,
  };
}

// The floor of any tool that has to read the tasks: list them with git, read every file.
const READ_TASKS = `
const { execFileSync } = require("node:child_process");
const { readFileSync } = require("node:fs");
const files = execFileSync("git", ["ls-files", "-z", "--", ".lanes/tasks"], { encoding: "utf8" })
  .split("\\0").filter(Boolean);
let bytes = 0;
for (const file of files) bytes += readFileSync(file, "utf8").length;
if (files.length === 0 || bytes === 0) process.exit(1);
`;

/**
 * Times `lanes plan --json` on a generated 2,000-task repository (median of `runs`, after a
 * warm-up) and `lanes --help` start-up (median of `helpRuns`), each beside its baseline.
 */
export async function benchPlan(options = {}) {
  const { tasks = 2000, seed = 20240601, runs = 5, helpRuns = 10 } = options;
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const { dir, root } = await makeRepo(tasks, seed);
  try {
    const plan = [process.execPath, CLI, "plan", "--json"];
    // Check once that the plan really covers every generated task before timing it.
    const planned = JSON.parse(timeProcess(plan, root).stdout);
    if (planned.tasks.length !== tasks) {
      throw new Error(`lanes plan --json planned ${planned.tasks.length} of ${tasks} tasks`);
    }
    const planMs = measure(plan, root, runs);
    const readMs = measure([process.execPath, "-e", READ_TASKS], root, runs);
    const helpMs = measure([process.execPath, CLI, "--help"], root, helpRuns);
    const nodeMs = measure([process.execPath, "-e", ""], root, helpRuns);
    return [
      row(
        `lanes plan --json, ${tasks.toLocaleString("en-US")} tasks (${planned.waves.length} waves)`,
        planMs,
        `git ls-files + read the ${tasks.toLocaleString("en-US")} task files in bare node`,
        readMs,
        "< 1000 ms",
        "node dist/cli/main.js plan --json",
      ),
      row(
        "lanes --help start-up",
        helpMs,
        'node -e "" start-up',
        nodeMs,
        "< 3x node start-up",
        "node dist/cli/main.js --help",
      ),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const rows = await benchPlan();
  for (const r of rows) {
    console.log(
      `${r.name}: ${r.value} ${r.unit} (goal ${r.goal}); baseline ${r.baseline}: ` +
        `${r.baselineValue} ${r.unit}; ratio ${r.ratio}`,
    );
  }
  console.log(JSON.stringify(rows, null, 2));
}
