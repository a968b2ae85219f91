// Issue 14's faults, end to end through the built CLI against a real Redis: a worker killed with
// kill -9 in the middle of an agent, a coordinator killed with kill -9 and resumed, Redis stopped
// and started again (empty) during a run, and gone for longer than queue.timeout. Nothing is lost
// and nothing is merged twice. (The workers' lock is 2 s here, through LANES_QUEUE, so that a dead
// worker's job goes to another within a few seconds instead of the default 30 s.)
import { afterEach, describe, expect, it } from "vitest";
import { runCli, startCli } from "../helpers/cli.js";
import { hasRedis } from "../helpers/redis.js";
import { task } from "../helpers/scripted-repo.js";
import { events, mergedOrder, type QueueWorld, queueWorld, until, workersReady } from "./setup.js";

const SHORT_LOCK = { LANES_QUEUE: JSON.stringify({ lock: "2s" }) };

/** Ends an agent a killed worker left behind, as the death of its machine would. */
function killPid(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startsOf(world: QueueWorld, id: string) {
  return (await world.starts()).filter((line) => line.startsWith(`${id} `));
}

describe.skipIf(!hasRedis)("queue faults", () => {
  let world: QueueWorld | undefined;
  afterEach(async () => {
    await world?.cleanup();
    world = undefined;
  });

  it("a worker killed with kill -9 mid-agent: another takes the job, the task is merged once", async () => {
    world = await queueWorld(
      { slow: task("Slow"), after: task("After", "depends_on: [slow]\n") },
      {
        slow: { sleepMs: 3000 },
        "*": { sleepMs: 200 },
      },
    );
    const first = world.startWorker("first", [], SHORT_LOCK);
    await workersReady([first], "the first worker");
    const coordinator = startCli(["run", "--queue", world.redis.url, "--json"], world.repo.root);
    await until(async () => (await startsOf(world!, "slow")).length === 1, "slow's agent");
    first.child.kill("SIGKILL");
    const [line] = await startsOf(world, "slow");
    killPid(Number(line!.split(" ")[2]));
    const second = world.startWorker("second", [], SHORT_LOCK);
    const exited = await coordinator.exited;
    expect(exited.code, coordinator.stderr()).toBe(0);
    expect(second.stdout()).toContain("✓ slow");
    const told = events(coordinator.stdout());
    const finished = told.filter((e) => e.type === "task_finished");
    expect(finished.map((e) => [e.taskId, e.status])).toEqual([
      ["slow", "done"],
      ["after", "done"],
    ]);
    const branch = told.find((e) => e.type === "run_started")!.integrationBranch as string;
    expect(await mergedOrder(world.repo, branch)).toEqual(["slow", "after"]);
    // Started on the first worker, started again from its base on the second: done once.
    expect(await startsOf(world, "slow")).toHaveLength(2);
    // (The first worker's own start may die with it before it is told.)
    const workers = told.filter((e) => e.type === "task_started" && e.taskId === "slow");
    expect(workers.at(-1)?.worker).toBe("second");
  }, 120_000);

  it("a coordinator killed with kill -9: lanes resume collects what finished meanwhile and runs nothing twice", async () => {
    world = await queueWorld(
      {
        a: task("A"),
        b: task("B"),
        c: task("C", "depends_on: [a]\n"),
      },
      { a: { sleepMs: 2500 }, "*": { sleepMs: 200 } },
    );
    const worker = world.startWorker("w", ["-c", "2"]);
    await workersReady([worker], "the worker");
    const coordinator = startCli(["run", "--queue", world.redis.url, "--json"], world.repo.root);
    await until(async () => (await startsOf(world!, "a")).length === 1, "a's agent");
    coordinator.child.kill("SIGKILL");
    await coordinator.exited;
    // The worker goes on: a's result waits in Redis for a coordinator.
    await until(() => worker.stdout().includes("✓ a"), "a finished on the worker");
    const resumed = await runCli(["resume", "--yes", "--json"], {
      cwd: world.repo.root,
      timeoutMs: 90_000,
    });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const told = events(resumed.stdout);
    const branch = told.find((e) => e.type === "run_started")!.integrationBranch as string;
    expect((await mergedOrder(world.repo, branch)).sort()).toEqual(["a", "b", "c"]);
    for (const id of ["a", "b", "c"]) expect(await startsOf(world, id)).toHaveLength(1);
    const merged = await mergedOrder(world.repo, branch);
    expect(merged.indexOf("a")).toBeLessThan(merged.indexOf("c"));
  }, 120_000);

  it("Redis stopped and started again mid-run: both sides say so, and the run goes on", async () => {
    world = await queueWorld(
      { a: task("A"), b: task("B", "depends_on: [a]\n") },
      {
        a: { sleepMs: 2500 },
        "*": { sleepMs: 200 },
      },
    );
    const worker = world.startWorker("w", [], SHORT_LOCK);
    await workersReady([worker], "the worker");
    const coordinator = startCli(["run", "--queue", world.redis.url, "--json"], world.repo.root);
    await until(async () => (await startsOf(world!, "a")).length === 1, "a's agent");
    await world.redis.stop();
    await until(() => coordinator.stdout().includes("unreachable"), "the coordinator telling it");
    await until(() => worker.stdout().includes("unreachable"), "the worker telling it");
    await world.redis.start();
    const exited = await coordinator.exited;
    expect(exited.code, coordinator.stderr()).toBe(0);
    const told = events(coordinator.stdout());
    const warnings = told.filter((e) => e.type === "warning").map((e) => String(e.message));
    expect(warnings.some((m) => m.includes("unreachable") && m.includes("retrying"))).toBe(true);
    expect(warnings.some((m) => m.includes("is back"))).toBe(true);
    await until(() => worker.stdout().includes("is back"), "the worker telling it is back");
    const branch = told.find((e) => e.type === "run_started")!.integrationBranch as string;
    expect(await mergedOrder(world.repo, branch)).toEqual(["a", "b"]);
  }, 120_000);

  it("Redis gone longer than queue.timeout: the run stops as interrupted, and resumes", async () => {
    world = await queueWorld({ a: task("A") }, { a: { sleepMs: 3000 } });
    const worker = world.startWorker("w");
    await workersReady([worker], "the worker");
    const coordinator = startCli(["run", "--queue", world.redis.url, "--json"], world.repo.root, {
      LANES_QUEUE: JSON.stringify({ timeout: "2s" }),
    });
    await until(async () => (await startsOf(world!, "a")).length === 1, "a's agent");
    await world.redis.stop();
    const exited = await coordinator.exited;
    expect(exited.code).toBe(130);
    expect(coordinator.stdout()).toContain("gone for 2s");
    await world.redis.start();
    const resumed = await runCli(["resume", "--yes", "--json"], {
      cwd: world.repo.root,
      timeoutMs: 90_000,
    });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const told = events(resumed.stdout);
    const branch = told.find((e) => e.type === "run_started")!.integrationBranch as string;
    expect(await mergedOrder(world.repo, branch)).toEqual(["a"]);
  }, 120_000);

  it("Ctrl-C on the coordinator ends the remote agent too, and lanes resume finishes the run", async () => {
    world = await queueWorld({ a: task("A") }, { a: { sleepMs: 4000 } });
    const worker = world.startWorker("w");
    await workersReady([worker], "the worker");
    const coordinator = startCli(["run", "--queue", world.redis.url, "--json"], world.repo.root);
    await until(async () => (await startsOf(world!, "a")).length === 1, "a's agent");
    const [line] = await startsOf(world, "a");
    coordinator.child.kill("SIGINT");
    expect((await coordinator.exited).code).toBe(130);
    await until(() => worker.stdout().includes("a (run"), "the worker ending a");
    await until(() => !alive(Number(line!.split(" ")[2])), "a's agent gone");
    expect(worker.stdout()).toMatch(/✗ a \(run .*\): cancelled/);
    const resumed = await runCli(["resume", "--yes"], { cwd: world.repo.root, timeoutMs: 90_000 });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
  }, 120_000);

  it("Ctrl-C on a worker ends its agent's process group and puts the job back for another", async () => {
    world = await queueWorld({ a: task("A") }, { a: { sleepMs: 4000 } });
    const first = world.startWorker("first");
    await workersReady([first], "the first worker");
    const coordinator = startCli(["run", "--queue", world.redis.url, "--json"], world.repo.root);
    await until(async () => (await startsOf(world!, "a")).length === 1, "a's agent");
    const [line] = await startsOf(world, "a");
    const agent = Number(line!.split(" ")[2]);
    first.child.kill("SIGINT");
    const stopped = await first.exited;
    expect(stopped.code).toBe(130);
    expect(alive(agent)).toBe(false);
    expect(first.stdout()).toContain("a (run");
    expect(first.stdout()).toContain("back in the queue");
    const second = world.startWorker("second");
    const exited = await coordinator.exited;
    expect(exited.code, coordinator.stderr()).toBe(0);
    expect(second.stdout()).toContain("✓ a");
    expect(await startsOf(world, "a")).toHaveLength(2);
  }, 120_000);
});
