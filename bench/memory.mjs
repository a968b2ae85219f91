// Memory: 32 agents at once, each writing 100 MB to stdout. lanes never holds agent output: an
// agent nobody reads line by line writes its log itself, and the rest is streamed with
// backpressure. Its peak RSS is sampled from /proc while the run goes, against the RSS of
// `lanes --help` (lanes loaded, doing nothing) measured in the same run. A second run, with a
// probe preloaded (bench/lib/memory-probe.cjs), says where the memory is at the peak: the V8 heap
// (its young generation apart), buffers outside the heap, and the git spawn helper, a process of
// its own. Every log must be complete. Alone: node bench/memory.mjs (after npm run build).
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CLI, cleanEnv, lanes, row, writeRepo } from "./lib/common.mjs";

const COMMAND = "node bench/memory.mjs";
const PROBE = path.join(path.dirname(fileURLToPath(import.meta.url)), "lib", "memory-probe.cjs");

/** Peak resident memory of a process in MB, from /proc (VmHWM), polled until it exits. */
function samplePeak(pid, exited) {
  let peak = 0;
  const read = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb / 1024);
    } catch {
      // Exited.
    }
  };
  const timer = setInterval(read, 20);
  exited.then(() => clearInterval(timer));
  return () => peak;
}

/** The git spawn helper among lanes' children (`node -e <helper>`), found once it exists. */
function sampleHelper(child, exited) {
  let peak = () => 0;
  let found = false;
  const look = () => {
    if (found) return;
    try {
      const tasks = readdirSync(`/proc/${child.pid}/task`);
      const children = tasks.flatMap((tid) =>
        readFileSync(`/proc/${child.pid}/task/${tid}/children`, "utf8").split(" ").filter(Boolean),
      );
      for (const pid of children) {
        const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        if (argv[1] === "-e") {
          found = true;
          peak = samplePeak(pid, exited);
        }
      }
    } catch {
      // Not there yet, or gone.
    }
  };
  const timer = setInterval(look, 50);
  exited.then(() => clearInterval(timer));
  return () => peak();
}

async function idleRss() {
  const child = spawn(process.execPath, [CLI, "--help"], {
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "ignore"],
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const peak = samplePeak(child.pid, exited);
  child.stdout.resume();
  await exited;
  return peak();
}

/** One run of `agents` agents, each printing `bytes`; its peak RSS, the helper's, and the logs. */
async function flood(dir, { agents, bytes, probe }) {
  const ids = Array.from({ length: agents }, (_, i) => `t${String(i).padStart(2, "0")}`);
  const repo = writeRepo(
    dir,
    ids.map((id) => ({ id, dependsOn: [], durationMs: 0, step: { outputBytes: bytes } })),
    { concurrency: agents },
  );
  let peak = () => 0;
  let helper = () => 0;
  const run = await lanes(repo, ["run"], {
    ...(probe ? { nodeArgs: ["--require", PROBE], env: { BENCH_MEMORY_PROBE: probe } } : {}),
    onSpawn: (child) => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      peak = samplePeak(child.pid, exited);
      helper = sampleHelper(child, exited);
    },
  });
  if (run.code !== 0) throw new Error(`lanes run failed:\n${run.output.slice(-2000)}`);
  const runs = path.join(repo, ".lanes", "runs");
  const runId = readdirSync(runs).find((name) => !name.startsWith("."));
  const complete = ids.every(
    (id) => statSync(path.join(runs, runId, "logs", id, "exec.1.log")).size >= bytes,
  );
  if (!complete) throw new Error("a log is incomplete");
  return { peak: peak(), helper: helper() };
}

export async function benchMemory({ agents = 32, bytes = 100 * 1024 * 1024 } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lanes-bench-memory-"));
  try {
    const plain = await flood(path.join(dir, "plain"), { agents, bytes });
    const probeFile = path.join(dir, "probe.json");
    await flood(path.join(dir, "probed"), { agents, bytes, probe: probeFile });
    const at = JSON.parse(readFileSync(probeFile, "utf8"));
    const what = `${agents} agents each writing ${bytes / 1024 / 1024} MB`;
    const part = (name, value) =>
      row(
        `memory at the peak (probed run, ${at.rss} MB RSS): ${name}`,
        value,
        "MB",
        "",
        undefined,
        "",
        COMMAND,
      );
    return [
      row(
        `memory: lanes peak RSS, ${what} (logs complete)`,
        plain.peak,
        "MB",
        "lanes --help RSS",
        await idleRss(),
        "<= 100 MB",
        COMMAND,
      ),
      part(`V8 heap committed (${at.heapUsed} MB in use)`, at.heapTotal),
      part("of which the young generation", at.youngGeneration),
      part("buffers outside the V8 heap", at.external),
      row(
        `memory: the git spawn helper's peak RSS (a process of its own), ${what}`,
        plain.helper,
        "MB",
        "",
        undefined,
        "",
        COMMAND,
      ),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchMemory());
