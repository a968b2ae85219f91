// Scale-out through the queue (issue 14): 32 tasks whose agent sleeps 2 s, run through a real
// Redis by one `lanes worker` at concurrency 2 and then by four at concurrency 2 each (the
// coordinator allows 8 attempts in flight both times): the throughput ratio, goal >= 3.5x. And
// the per-task overhead of a queued attempt against a local one: the same no-op tasks, one at a
// time, run by `lanes run` and by `lanes run --queue` with one worker.
// Needs /usr/bin/redis-server. Alone: node bench/queue.mjs [--quick] (after npm run build).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLI, cleanEnv, git, lanes, reproduce, row, size, writeRepo } from "./lib/common.mjs";
import { freePort, spawnRedis } from "./lib/redis.mjs";

const COMMAND = reproduce("bench/queue.mjs");

/** A Redis of its own, persistence off; resolves once it accepts connections. */
async function startRedis(dir) {
  const port = await freePort();
  const child = await spawnRedis(dir, ["--port", String(port)]);
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill("SIGKILL") };
}

/** `n` workers at concurrency `each`, each with its own clone folder; resolves once all wait. */
async function startWorkers(dir, url, n, each) {
  const workers = [];
  for (let i = 0; i < n; i++) {
    const home = path.join(dir, `machine-${i}`);
    const child = spawn(
      process.execPath,
      [
        CLI,
        "worker",
        "--queue",
        url,
        "-c",
        String(each),
        "--dir",
        path.join(home, "cache"),
        "--name",
        `w${i}`,
      ],
      { env: cleanEnv({ HOME: home }), stdio: ["ignore", "pipe", "ignore"] },
    );
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    workers.push({ child, ready: () => out.includes("waiting for jobs") });
  }
  while (!workers.every((w) => w.ready())) await new Promise((r) => setTimeout(r, 50));
  return async () => {
    for (const { child } of workers) child.kill("SIGINT");
    await Promise.all(workers.map(({ child }) => new Promise((r) => child.once("exit", r))));
  };
}

/** A repository with `count` independent tasks of `sleepMs`, and a bare clone as its origin. */
function repoWithRemote(dir, count, sleepMs) {
  const tasks = Array.from({ length: count }, (_, i) => ({
    id: `t${String(i).padStart(2, "0")}`,
    dependsOn: [],
    durationMs: sleepMs,
  }));
  const repo = writeRepo(dir, tasks);
  git(dir, "clone", "--quiet", "--bare", repo, path.join(dir, "remote.git"));
  git(repo, "remote", "add", "origin", path.join(dir, "remote.git"));
  return repo;
}

/** Wall time of one queued run of `count` tasks through `workers` x `each` slots. */
async function queuedRun(url, { count, sleepMs, workers, each, concurrency }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lanes-bench-queue-"));
  try {
    const repo = repoWithRemote(dir, count, sleepMs);
    const stop = await startWorkers(dir, url, workers, each);
    const result = await lanes(repo, ["run", "--queue", url, "-c", String(concurrency)]);
    await stop();
    if (result.code !== 0) throw new Error(`queued run failed:\n${result.output.slice(-2000)}`);
    return result.ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function localRun({ count, sleepMs }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lanes-bench-local-"));
  try {
    const repo = repoWithRemote(dir, count, sleepMs);
    const result = await lanes(repo, ["run", "-c", "1"]);
    if (result.code !== 0) throw new Error(`local run failed:\n${result.output.slice(-2000)}`);
    return result.ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchQueue() {
  const tasks = size(32, 8);
  const redisDir = mkdtempSync(path.join(os.tmpdir(), "lanes-bench-redis-"));
  const redis = await startRedis(redisDir);
  try {
    const shape = { count: tasks, sleepMs: 2000, each: 2, concurrency: 8 };
    const one = await queuedRun(redis.url, { ...shape, workers: 1 });
    const four = await queuedRun(redis.url, { ...shape, workers: 4 });
    const serial = size(8, 4);
    const local = await localRun({ count: serial, sleepMs: 0 });
    const queued = await queuedRun(redis.url, {
      count: serial,
      sleepMs: 0,
      workers: 1,
      each: 1,
      concurrency: 1,
    });
    return [
      row(
        `queue: ${tasks} tasks of 2 s, four workers at concurrency 2 against one (throughput ratio)`,
        one / four,
        "x",
        `one worker: ${(one / 1000).toFixed(1)} s; four: ${(four / 1000).toFixed(1)} s`,
        undefined,
        ">= 3.5",
        COMMAND,
      ),
      row(
        `queue: per-task time of ${serial} no-op tasks one at a time, queued (one worker)`,
        queued / serial,
        "ms",
        "local lanes run -c 1",
        local / serial,
        "overhead per task, not a goal",
        COMMAND,
      ),
    ];
  } finally {
    redis.stop();
    rmSync(redisDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchQueue());
