// What a task costs besides its agent: git processes (in all, and by command, on stderr) and CPU
// time. git is counted as processes, not as lanes' spawn calls (lanes may start git from a helper
// process, src/git/spawner.ts): a `git` wrapper first on PATH appends a line per process it
// stands for (its first words, which name the command) before it execs the real
// git, and GIT_TRACE2 also counts the git processes git itself starts (which find the real git
// through git's exec path, not the wrapper). lanes' main-process CPU comes from a `--require`
// preload that writes process.cpuUsage() and the main thread's /proc times when lanes exits. The
// baseline is the bare script (as in bench/overhead.mjs) on the same tasks, counted the same way;
// its CPU is that of all its processes (the cutime + cstime of the shell that waited for them).
// Alone: node bench/cost.mjs [--quick] [--reps N] (after npm run build).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { NOOP_AGENT, runParallelScript, scriptRepo } from "./lib/baseline.mjs";
import {
  interleaved,
  lanes,
  median,
  REPS,
  reproduce,
  row,
  size,
  writeRepo,
} from "./lib/common.mjs";

const COMMAND = reproduce("bench/cost.mjs");

// Loaded into the lanes process only (node's own flags are not passed to the processes it
// starts): at exit, the process's CPU (every thread) and its main thread's (utime + stime of
// /proc/self/task/<pid>/stat, in ticks of 10 ms), as one JSON line.
const CPU_PRELOAD = `
const { appendFileSync, readFileSync } = require("node:fs");
process.on("exit", () => {
  const usage = process.cpuUsage();
  const stat = readFileSync("/proc/self/task/" + process.pid + "/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  appendFileSync(process.env.BENCH_CPU_FILE, JSON.stringify({
    processMs: (usage.user + usage.system) / 1000,
    mainThreadMs: (Number(fields[11]) + Number(fields[12])) * 10,
  }) + "\\n");
});
`;

/** A directory whose `git` logs one line per process to `log`, then runs the real git. */
function countingGit(dir, log) {
  const realGit = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
  const bin = path.join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    path.join(bin, "git"),
    `#!/bin/sh\nprintf '%s %s %s %s\\n' "$1" "$2" "$3" "$4" >> '${log}'\nexec '${realGit}' "$@"\n`,
    { mode: 0o755 },
  );
  return bin;
}

const lines = (file) =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
const lineCount = (file) => lines(file).length;

/** How many of each git command (`add`, `commit`, ...) the wrapper saw, per task. */
function byCommand(file, count) {
  const counts = {};
  for (const line of lines(file)) {
    const words = line.split(" ").filter(Boolean);
    let i = 0;
    // Options before the command: lanes' --no-pager and -c <setting>, the script's -C <repo>.
    while (["--no-pager", "-c", "-C"].includes(words[i])) i += words[i] === "--no-pager" ? 1 : 2;
    const command = words[i] ?? "?";
    counts[command] = (counts[command] ?? 0) + 1 / count;
  }
  return counts;
}

/** `add 1.00, commit 1.00, ...`, most first. */
const commandText = (counts) =>
  Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([command, n]) => `${command} ${n.toFixed(2)}`)
    .join(", ");

/** trace2's "start" events: one per git process, whoever started it. */
const trace2Processes = (file) =>
  existsSync(file) ? (readFileSync(file, "utf8").match(/^\S+ \S+ +start /gm) ?? []).length : 0;

/** The environment that counts git: the wrapper first on PATH, trace2 into `trace`. */
function countingEnv(dir) {
  const log = path.join(dir, "git-calls.txt");
  const trace = path.join(dir, "trace2.txt");
  const env = {
    PATH: `${countingGit(dir, log)}:${process.env.PATH}`,
    GIT_TRACE2: trace,
  };
  return { env, log, trace };
}

async function lanesSide(dir, count, concurrency) {
  const ids = Array.from({ length: count }, (_, i) => `t${String(i).padStart(3, "0")}`);
  const repo = writeRepo(
    dir,
    ids.map((id) => ({ id, dependsOn: [], durationMs: 0 })),
    { concurrency, agent: { command: NOOP_AGENT } },
  );
  const { env, log, trace } = countingEnv(dir);
  const preload = path.join(dir, "cpu-preload.cjs");
  const cpuFile = path.join(dir, "cpu.ndjson");
  writeFileSync(preload, CPU_PRELOAD);
  const run = await lanes(repo, ["run"], {
    env: { ...env, BENCH_CPU_FILE: cpuFile },
    nodeArgs: ["--require", preload],
  });
  if (run.code !== 0) throw new Error(`lanes run failed:\n${run.output.slice(-2000)}`);
  const cpu = JSON.parse(readFileSync(cpuFile, "utf8").split("\n")[0]);
  return {
    git: lineCount(log) / count,
    commands: byCommand(log, count),
    allGit: trace2Processes(trace) / count,
    processMs: cpu.processMs / count,
    mainThreadMs: cpu.mainThreadMs / count,
  };
}

function scriptSide(dir, count, concurrency) {
  const ids = Array.from({ length: count }, (_, i) => `t${String(i).padStart(3, "0")}`);
  const repo = scriptRepo(path.join(dir, "repo"));
  const { env, log, trace } = countingEnv(dir);
  const { cpuMs } = runParallelScript(repo, ids, { concurrency, env: { ...process.env, ...env } });
  return {
    git: lineCount(log) / count,
    commands: byCommand(log, count),
    allGit: trace2Processes(trace) / count,
    cpuMs: cpuMs / count,
  };
}

export async function benchCost({ count = size(40, 12), concurrency = 4, reps = REPS } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lanes-bench-cost-"));
  try {
    const { as: lanesRuns, bs: scriptRuns } = await interleaved(
      reps,
      (i) => lanesSide(path.join(dir, `lanes-${i}`), count, concurrency),
      (i) => scriptSide(path.join(dir, `hand-${i}`), count, concurrency),
    );
    const mid = (runs, key) => median(runs.map((run) => run[key]));
    const label = `${count} no-op tasks, concurrency ${concurrency}, median of ${reps}`;
    const scriptCpu = mid(scriptRuns, "cpuMs");
    // Which git commands a task costs (the first run of each side): what is left to remove.
    process.stderr.write(`bench:   lanes' git per task: ${commandText(lanesRuns[0].commands)}\n`);
    process.stderr.write(
      `bench:   the script's git per task: ${commandText(scriptRuns[0].commands)}\n`,
    );
    return [
      row(
        `git processes per task, started by lanes or its helper (${label})`,
        mid(lanesRuns, "git"),
        "processes",
        "the bare script",
        mid(scriptRuns, "git"),
        "fewer, cheaper",
        COMMAND,
      ),
      row(
        "git processes per task, including those git starts itself (GIT_TRACE2)",
        mid(lanesRuns, "allGit"),
        "processes",
        "the bare script",
        mid(scriptRuns, "allGit"),
        "",
        COMMAND,
      ),
      row(
        "lanes main-process CPU per task (every thread of the lanes process)",
        mid(lanesRuns, "processMs"),
        "ms",
        "the whole bare script's CPU per task (git, agent, shell)",
        scriptCpu,
        "",
        COMMAND,
      ),
      row(
        "lanes main-thread CPU per task (/proc, 10 ms ticks)",
        mid(lanesRuns, "mainThreadMs"),
        "ms",
        "the whole bare script's CPU per task (git, agent, shell)",
        scriptCpu,
        "",
        COMMAND,
      ),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchCost());
