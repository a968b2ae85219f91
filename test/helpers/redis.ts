// A real Redis for the queue tests (issue 14): Debian's redis-server on a free local port, with
// persistence off, in a folder of its own; stopped after, and able to stop and start again on the
// same port (a Redis outage). Without redis-server the queue tests skip with a message, except in
// CI, where .ci/run installs it and its absence fails the run instead of hiding the tests.
import { type ChildProcess, execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort, REDIS_SERVER, spawnRedis } from "../../bench/lib/redis.mjs";

export const hasRedis = existsSync(REDIS_SERVER) || Boolean(process.env.CI);

if (!hasRedis) {
  process.stderr.write(
    `queue tests skipped: ${REDIS_SERVER} is missing (install it with: apt-get install -y redis-server)\n`,
  );
}

export interface TestRedis {
  url: string;
  /** With `tls`: the CA's certificate, for NODE_EXTRA_CA_CERTS. */
  caFile?: string;
  port: number;
  /** Stops the server (SIGKILL: an outage, not a shutdown); `start` brings it back, empty. */
  stop: () => Promise<void>;
  start: () => Promise<void>;
  /** Stops it for good and removes its folder. */
  close: () => Promise<void>;
}

/** A CA and a certificate for localhost, made with openssl, for Redis over TLS. */
function makeCertificates(dir: string): { ca: string; args: string[] } {
  const file = (name: string) => path.join(dir, name);
  const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  openssl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=lanes-test-ca",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.crt"),
  ]);
  openssl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=localhost",
    "-keyout",
    file("server.key"),
    "-out",
    file("server.csr"),
  ]);
  writeFileSync(file("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  openssl([
    "x509",
    "-req",
    "-days",
    "2",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.crt"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-extfile",
    file("ext.cnf"),
    "-out",
    file("server.crt"),
  ]);
  return {
    ca: file("ca.crt"),
    args: [
      "--tls-cert-file",
      file("server.crt"),
      "--tls-key-file",
      file("server.key"),
      "--tls-ca-cert-file",
      file("ca.crt"),
      "--tls-auth-clients",
      "no",
    ],
  };
}

/**
 * With `password`, Redis asks for it (`requirepass`) and `url` carries it; with `tls`, Redis
 * speaks TLS only (`rediss://localhost`), with a certificate of a CA of its own (`caFile`: give
 * it to clients as NODE_EXTRA_CA_CERTS).
 */
export async function startRedis({
  password,
  tls,
}: {
  password?: string;
  tls?: boolean;
} = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), "lanes-redis-"));
  const certificates = tls ? makeCertificates(dir) : undefined;
  let child: ChildProcess | undefined;
  const start = async () => {
    child = await spawnRedis(
      dir,
      certificates
        ? ["--port", "0", "--tls-port", String(port), ...certificates.args]
        : ["--port", String(port)],
      password ? ["--requirepass", password] : [],
    );
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
    url: tls
      ? `rediss://${password ? `:${encodeURIComponent(password)}@` : ""}localhost:${port}`
      : `redis://${password ? `:${encodeURIComponent(password)}@` : ""}127.0.0.1:${port}`,
    ...(certificates ? { caFile: certificates.ca } : {}),
    port,
    stop,
    start,
    close: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
