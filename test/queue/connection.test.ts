// Reaching the queue safely (issue 14): redis://:password@host works on both sides, a wrong
// password is refused before anything starts and no message shows the password; rediss:// (TLS)
// works with a certificate the machines trust, and is refused by one that does not.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisOptions } from "../../src/queue/connection.js";
import { runCli } from "../helpers/cli.js";
import { hasRedis } from "../helpers/redis.js";
import { task } from "../helpers/scripted-repo.js";
import { type QueueWorld, queueWorld, workersReady } from "./setup.js";

describe("the Redis connection from a URL", () => {
  it("takes a user, a password, a database and TLS from the URL", () => {
    expect(redisOptions("rediss://lanes:s%40cret@redis.example:6380/3")).toMatchObject({
      host: "redis.example",
      port: 6380,
      username: "lanes",
      password: "s@cret",
      db: 3,
      tls: { servername: "redis.example" },
      maxRetriesPerRequest: null,
    });
    expect(redisOptions("redis://h")).toMatchObject({ host: "h", port: 6379 });
    expect(redisOptions("redis://h").tls).toBeUndefined();
  });
});

describe.skipIf(!hasRedis)("a queue behind a password", () => {
  let world: QueueWorld;
  beforeAll(async () => {
    world = await queueWorld(
      { a: task("A") },
      { "*": { sleepMs: 100 } },
      {},
      { password: "s3cret!" },
    );
  }, 60_000);
  afterAll(() => world?.cleanup());

  it("runs through it with the password in the URL, and refuses a wrong one up front", async () => {
    const wrong = world.redis.url.replace("s3cret!", "nope").replace("s3cret%21", "nope");
    const refused = await runCli(["run", "--queue", wrong], { cwd: world.repo.root });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("cannot reach Redis at redis://:***@127.0.0.1");
    expect(refused.stderr).not.toContain("nope");
    const worker = world.startWorker("w");
    await workersReady([worker], "the worker");
    expect(worker.stdout()).not.toContain("s3cret");
    const result = await runCli(["run", "--queue", world.redis.url], { cwd: world.repo.root });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).not.toContain("s3cret");
    expect(worker.stdout()).toContain("✓ a");
  }, 90_000);
});

describe.skipIf(!hasRedis)("a queue over TLS (rediss://)", () => {
  let world: QueueWorld;
  beforeAll(async () => {
    world = await queueWorld({ a: task("A") }, { "*": { sleepMs: 100 } }, {}, { tls: true });
  }, 60_000);
  afterAll(() => world?.cleanup());

  it("runs through it, the certificate checked against the CA the machines trust", async () => {
    const trust = { NODE_EXTRA_CA_CERTS: world.redis.caFile! };
    // A machine that does not trust the certificate is refused before anything starts.
    const untrusted = await runCli(["run", "--queue", world.redis.url], { cwd: world.repo.root });
    expect(untrusted.exitCode).toBe(2);
    expect(untrusted.stderr).toContain("cannot reach Redis at rediss://localhost");
    const worker = world.startWorker("w", [], trust);
    await workersReady([worker], "the worker");
    const result = await runCli(["run", "--queue", world.redis.url], {
      cwd: world.repo.root,
      env: trust,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(worker.stdout()).toContain("✓ a");
  }, 90_000);
});
