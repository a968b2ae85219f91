// Issue 14, end to end through the built CLI: a coordinator (`lanes run --queue`) and three
// `lanes worker`s, each in its own folder with its own HOME, share a real Redis and a bare
// repository as the remote. A DAG of tasks ends merged in dependency order, each task run once,
// on some worker, and the events say which.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { hasRedis } from "../helpers/redis.js";
import { task } from "../helpers/scripted-repo.js";
import { events, mergedOrder, type QueueWorld, queueWorld, workersReady } from "./setup.js";

const DAG = {
  schema: task("Schema"),
  api: task("API", "depends_on: [schema]\n"),
  ui: task("UI", "depends_on: [schema]\n"),
  docs: task("Docs"),
  release: task("Release", "depends_on: [api, ui, docs]\n"),
};

describe.skipIf(!hasRedis)("lanes run --queue with three workers", () => {
  let world: QueueWorld;
  beforeAll(async () => {
    world = await queueWorld(
      DAG,
      { "*": { sleepMs: 400 } },
      // Verify runs on the workers (queue.verifyOn's default), in each lane.
      { verify: ["sh", "-c", 'test -f "lanes-out/$LANES_TASK_ID.txt"'] },
    );
  }, 60_000);
  afterAll(() => world?.cleanup());

  it("merges every task in dependency order, each run once on some worker", async () => {
    const workers = ["w1", "w2", "w3"].map((name) => world.startWorker(name));
    await workersReady(workers, "three workers ready");
    const result = await runCli(["run", "--queue", world.redis.url, "--json", "-c", "3"], {
      cwd: world.repo.root,
      env: { HOME: await world.home("coordinator") },
      timeoutMs: 120_000,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const told = events(result.stdout);
    const finished = told.filter((e) => e.type === "task_finished");
    expect(finished.map((e) => [e.taskId, e.status]).sort()).toEqual(
      Object.keys(DAG)
        .sort()
        .map((id) => [id, "done"]),
    );
    const started = told.filter((e) => e.type === "task_started");
    for (const event of started) expect(["w1", "w2", "w3"]).toContain(event.worker);
    expect(new Set(started.map((e) => e.taskId))).toEqual(new Set(Object.keys(DAG)));
    const branch = told.find((e) => e.type === "run_started")!.integrationBranch as string;
    const order = await mergedOrder(world.repo, branch);
    expect(order.sort()).toEqual(Object.keys(DAG).sort());
    const merged = await mergedOrder(world.repo, branch);
    expect(merged.indexOf("schema")).toBeLessThan(merged.indexOf("api"));
    expect(merged.indexOf("schema")).toBeLessThan(merged.indexOf("ui"));
    for (const dep of ["api", "ui", "docs"])
      expect(merged.indexOf(dep)).toBeLessThan(merged.indexOf("release"));
    // Verify ran on the workers, once per task, and the coordinator did not run it again.
    const verifying = told.filter((e) => e.type === "task_step" && e.step === "verifying");
    expect(verifying.map((e) => e.taskId).sort()).toEqual(Object.keys(DAG).sort());
    // The report names each task's worker, as the live view and --json do.
    const page = path.join(world.repo.dir, "report.html");
    const report = await runCli(["report", "-o", page], { cwd: world.repo.root });
    expect(report.exitCode, report.stderr).toBe(0);
    const html = await readFile(page, "utf8");
    for (const event of started) expect(html).toContain(`"workers":["${event.worker}"]`);
    // The agents' output is in the run's own logs, as for a local lane.
    const logs = await runCli(["logs", "api"], { cwd: world.repo.root });
    expect(logs.stdout).toContain("[api] exec attempt 1");
    // Each task's agent started once, wherever it ran.
    const starts = (await world.starts()).map((line) => line.split(" ")[0]);
    expect(starts.sort()).toEqual(Object.keys(DAG).sort());
    // The work itself is on the integration branch, as a local run leaves it.
    const files = await world.repo.repo.git.run(["ls-tree", "-r", "--name-only", branch]);
    for (const id of Object.keys(DAG)) expect(files.stdout).toContain(`lanes-out/${id}.txt`);
  }, 150_000);
});
