// A Redis of its own for the queue's benchmark and tests: Debian's redis-server on a local port,
// persistence off, its files in a folder of the caller's. One starter, so that the benchmark and
// the tests run Redis the same way.
import { spawn } from "node:child_process";
import { createServer } from "node:net";

export const REDIS_SERVER = "/usr/bin/redis-server";

/** A local port nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts redis-server with `portArgs` (`--port N`, or TLS's) and `more`, bound to 127.0.0.1,
 * without persistence, in `dir`; resolves with the process once it accepts connections.
 */
export async function spawnRedis(dir, portArgs, more = []) {
  const server = spawn(
    REDIS_SERVER,
    [...portArgs, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, ...more],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      server.kill("SIGKILL");
      reject(new Error(`redis-server did not start:\n${out}`));
    }, 15_000);
    server.stdout.on("data", (chunk) => {
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
  return server;
}
