// A real Redis for the queue tests (issue 14): Debian's redis-server on a free local port, with
// persistence off, in a folder of its own; stopped after, and able to stop and start again on the
// same port (a Redis outage). Without redis-server the queue tests skip with a message, except in
// CI, where .ci/run installs it and its absence fails the run instead of hiding the tests.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";

export const REDIS_SERVER = "/usr/bin/redis-server";
export const hasRedis = existsSync(REDIS_SERVER) || Boolean(process.env.CI);

if (!hasRedis) {
  process.stderr.write(
    `queue tests skipped: ${REDIS_SERVER} is missing (install it with: apt-get install -y redis-server)\n`,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server (SIGKILL: an outage, not a shutdown); `start` brings it back, empty. */
  stop: () => Promise<void>;
  start: () => Promise<void>;
  /** Stops it for good and removes its folder. */
  close: () => Promise<void>;
}

/** With `password`, Redis asks for it (`requirepass`) and `url` carries it. */
export async function startRedis({ password }: { password?: string } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), "lanes-redis-"));
  let child: ChildProcess | undefined;
  const start = async () => {
    const server = spawn(
      REDIS_SERVER,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
        ...(password ? ["--requirepass", password] : []),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child = server;
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start:\n${out}`)),
        15_000,
      );
      server.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
      server.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}):\n${out}`));
      });
    });
  };
  const stop = async () => {
    const server = child;
    child = undefined;
    if (!server || server.exitCode !== null) return;
    const gone = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGKILL");
    await gone;
  };
  await start();
  return {
    url: `redis://${password ? `:${encodeURIComponent(password)}@` : ""}127.0.0.1:${port}`,
    port,
    stop,
    start,
    close: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
