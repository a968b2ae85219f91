// Issue 14: what a worker refuses and how a remote that fails is told. A job naming a repository
// no run registered is refused (and the worker goes on); a push the remote rejects fails the
// attempt with reason `remote`, naming the remote.
import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";
import { Queue } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import { jobId, QUEUE_NAME, QUEUE_PREFIX } from "../../src/queue/names.js";
import { runCli } from "../helpers/cli.js";
import { hasRedis } from "../helpers/redis.js";
import { task } from "../helpers/scripted-repo.js";
import { events, type QueueWorld, queueWorld, until, workersReady } from "./setup.js";

describe.skipIf(!hasRedis)("what workers refuse", () => {
  let world: QueueWorld | undefined;
  afterEach(async () => {
    await world?.cleanup();
    world = undefined;
  });

  it("refuses a job naming a repository no run registered, and goes on", async () => {
    world = await queueWorld({ a: task("A") }, { "*": { sleepMs: 100 } });
    const worker = world.startWorker("w");
    await workersReady([worker], "the worker");
    const queue = new Queue(QUEUE_NAME, {
      connection: { host: "127.0.0.1", port: world.redis.port },
      prefix: QUEUE_PREFIX,
    });
    const stranger = "/nowhere/else.git";
    const id = jobId(stranger, "20260101-000000-dead", "evil", 1);
    try {
      await queue.add(
        "evil 1",
        {
          repository: stranger,
          runId: "20260101-000000-dead",
          taskId: "evil",
          attempt: 1,
          baseRef: "refs/heads/lanes/run/x",
          baseCommit: "0".repeat(40),
          branch: "lanes/evil",
          task: { title: "Evil", body: "rm -rf", file: ".lanes/tasks/evil.md", labels: [] },
          verify: true,
          output: true,
        },
        { jobId: id },
      );
      await until(() => worker.stdout().includes("refused job"), "the refusal");
      expect(worker.stdout()).toContain(`refused job ${id}: unknown repository ${stranger}`);
      const job = await queue.getJob(id);
      expect(await job!.getState()).toBe("failed");
      expect(job!.failedReason).toMatch(/^refused/);
    } finally {
      await queue.close();
    }
    // The worker still takes the jobs of a real run.
    const result = await runCli(["run", "--queue", world.redis.url], { cwd: world.repo.root });
    expect(result.exitCode, result.stderr).toBe(0);
  }, 90_000);

  it("a push the remote rejects fails the attempt with reason remote, naming the remote", async () => {
    world = await queueWorld({ a: task("A") }, { "*": { sleepMs: 100 } });
    // The remote takes the integration branch but no lane branch.
    const hook = path.join(world.remote, "hooks", "pre-receive");
    await writeFile(
      hook,
      '#!/bin/sh\nwhile read old new ref; do case "$ref" in refs/heads/lanes/run/*) ;; refs/heads/lanes/*) echo "lanes are not welcome" >&2; exit 1;; esac; done\n',
    );
    await chmod(hook, 0o755);
    const worker = world.startWorker("w");
    await workersReady([worker], "the worker");
    const result = await runCli(["run", "--queue", world.redis.url, "--json"], {
      cwd: world.repo.root,
    });
    expect(result.exitCode).toBe(1);
    const finished = events(result.stdout).find((e) => e.type === "task_finished");
    expect(finished).toMatchObject({ taskId: "a", status: "failed", reason: "remote" });
    expect(String(finished!.detail)).toContain(world.remote);
    expect(String(finished!.detail)).toContain("lanes are not welcome");
  }, 90_000);
});
