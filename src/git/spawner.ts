/**
 * Starts git processes from a small long-lived helper process instead of from lanes' own.
 *
 * Forking copies the parent's page tables: from a Node process of 100+ MB every `spawn` costs
 * the main thread about 5-10 ms, and lanes runs a dozen git commands per task, so at high
 * concurrency the main thread, not git, became the bottleneck (PERFORMANCE.md: `spawn` was
 * 36-39 % of wall time). The helper is a bare Node process of a few MB that does nothing but
 * spawn: a request costs lanes one line written to a pipe. Each request carries its own argv,
 * cwd, environment and stdin, so the helper holds no state of its own.
 *
 * The helper dies with lanes (its stdin closes, even after kill -9), holds the event loop only
 * while requests are in flight, and when it cannot be started or dies, requests fall back to a
 * direct spawn: it makes lanes faster, never less reliable.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface SpawnRequest {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  input: string;
}

export interface SpawnResult {
  stdout: string;
  stderr: string;
  /** undefined when the program could not be started; `error` then says why. */
  exitCode: number | undefined;
  error?: string;
}

/** Runs one request: spawn, feed stdin, collect output. The helper runs this same function. */
function runRequest(
  request: SpawnRequest,
  spawnFn: typeof spawn,
  done: (result: SpawnResult) => void,
): void {
  let finished = false;
  const finish = (result: SpawnResult) => {
    if (!finished) {
      finished = true;
      done(result);
    }
  };
  let child: ChildProcess;
  try {
    child = spawnFn(request.file, request.args, {
      cwd: request.cwd,
      env: request.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
  } catch (error) {
    finish({ stdout: "", stderr: "", exitCode: undefined, error: (error as Error).message });
    return;
  }
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => err.push(chunk));
  child.on("error", (error) =>
    finish({ stdout: "", stderr: "", exitCode: undefined, error: error.message }),
  );
  child.on("close", (code, signal) =>
    finish({
      stdout: Buffer.concat(out).toString("utf8"),
      stderr: Buffer.concat(err).toString("utf8"),
      exitCode: code ?? (signal ? 128 : 1),
    }),
  );
  child.stdin?.on("error", () => {}); // a program that exits without reading its input
  child.stdin?.end(request.input);
}

/** The helper's whole program: one JSON request per line in, one JSON result per line out. */
const HELPER_SOURCE = `
const { spawn } = require("node:child_process");
const runRequest = ${runRequest.toString()};
const lines = require("node:readline").createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const { id, request } = JSON.parse(line);
  runRequest(request, spawn, (result) => process.stdout.write(JSON.stringify({ id, result }) + "\\n"));
});
lines.on("close", () => process.exit(0));
`;

interface Helper {
  child: ChildProcess;
  pending: Map<number, { request: SpawnRequest; resolve: (result: SpawnResult) => void }>;
}

let helper: Helper | undefined;
let helperBroken = false;
let nextId = 1;

/** Spawns directly from this process: the fallback, and the way when LANES_GIT_HELPER=0. */
export function spawnDirect(request: SpawnRequest): Promise<SpawnResult> {
  return new Promise((resolve) => runRequest(request, spawn, resolve));
}

/** Keeps the event loop alive only while a request is in flight. */
function holdLoop(h: Helper, hold: boolean): void {
  for (const stream of [h.child.stdin, h.child.stdout]) {
    const socket = stream as unknown as { ref?: () => void; unref?: () => void } | null;
    if (hold) socket?.ref?.();
    else socket?.unref?.();
  }
}

function startHelper(): Helper | undefined {
  if (helperBroken) return undefined;
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, ["-e", HELPER_SOURCE], {
      stdio: ["pipe", "pipe", "ignore"],
      // Nothing of lanes' own: the helper needs no variables, each request brings its own.
      env: { PATH: process.env.PATH ?? "" },
    });
  } catch {
    helperBroken = true;
    return undefined;
  }
  const started: Helper = { child, pending: new Map() };
  child.unref();
  child.stdin?.on("error", () => {});
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const { id, result } = JSON.parse(line) as { id: number; result: SpawnResult };
    const waiting = started.pending.get(id);
    started.pending.delete(id);
    if (started.pending.size === 0) holdLoop(started, false);
    waiting?.resolve(result);
  });
  const failOver = () => {
    // The helper is gone: what it had not answered runs directly, and so does everything after.
    helperBroken = true;
    if (helper === started) helper = undefined;
    for (const { request, resolve } of started.pending.values()) spawnDirect(request).then(resolve);
    started.pending.clear();
  };
  child.on("error", failOver);
  child.on("exit", failOver);
  holdLoop(started, false);
  return started;
}

/** Runs a program (git) through the helper, or directly when the helper is off or broken. */
export function spawnThroughHelper(request: SpawnRequest): Promise<SpawnResult> {
  if (process.env.LANES_GIT_HELPER === "0") return spawnDirect(request);
  helper ??= startHelper();
  const h = helper;
  if (!h) return spawnDirect(request);
  return new Promise((resolve) => {
    const id = nextId++;
    h.pending.set(id, { request, resolve });
    if (h.pending.size === 1) holdLoop(h, true);
    h.child.stdin!.write(`${JSON.stringify({ id, request })}\n`);
  });
}

/** The helper's pid while it runs (for tests and `lanes` diagnostics). */
export function helperPid(): number | undefined {
  return helper?.child.pid;
}
