// Memory: 32 agents at once, each writing 100 MB to stdout. lanes streams agent output to log
// files and never holds it; its peak RSS is sampled from /proc while the run goes, against the
// RSS of `lanes --help` (lanes loaded, doing nothing) measured in the same run. The logs must be
// complete. Alone: node bench/memory.mjs (after npm run build).
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLI, cleanEnv, lanes, row, writeRepo } from "./lib/common.mjs";

const COMMAND = "node bench/memory.mjs";

/** Peak resident memory of a process in MB, from /proc (VmHWM), polled until it exits. */
function samplePeak(child) {
  let peak = 0;
  const read = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb / 1024);
    } catch {
      // Exited.
    }
  };
  const timer = setInterval(read, 20);
  child.once("exit", () => clearInterval(timer));
  return () => peak;
}

async function idleRss() {
  const child = spawn(process.execPath, [CLI, "--help"], {
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "ignore"],
  });
  const peak = samplePeak(child);
  child.stdout.resume();
  await new Promise((resolve) => child.on("exit", resolve));
  return peak();
}

export async function benchMemory({ agents = 32, bytes = 100 * 1024 * 1024 } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lanes-bench-memory-"));
  try {
    const ids = Array.from({ length: agents }, (_, i) => `t${String(i).padStart(2, "0")}`);
    const repo = writeRepo(
      dir,
      ids.map((id) => ({ id, dependsOn: [], durationMs: 0, step: { outputBytes: bytes } })),
      { concurrency: agents },
    );
    let peak = () => 0;
    const run = await lanes(repo, ["run"], { onSpawn: (child) => (peak = samplePeak(child)) });
    if (run.code !== 0) throw new Error(`lanes run failed:\n${run.output.slice(-2000)}`);
    const runs = path.join(repo, ".lanes", "runs");
    const runId = readdirSync(runs).find((name) => !name.startsWith("."));
    const complete = ids.every(
      (id) => statSync(path.join(runs, runId, "logs", id, "exec.1.log")).size >= bytes,
    );
    if (!complete) throw new Error("a log is incomplete");
    return [
      row(
        `memory: lanes peak RSS, ${agents} agents each writing ${bytes / 1024 / 1024} MB (logs complete)`,
        peak(),
        "MB",
        "lanes --help RSS",
        await idleRss(),
        "<= 150 MB",
        COMMAND,
      ),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchMemory());
