/**
 * Runs one agent attempt as its own process group, with the prompt on stdin and its output
 * streamed to a log file, and makes sure nothing it started outlives the attempt.
 *
 * Built on node:child_process rather than execa: execa's `timeout`, `cancelSignal` and
 * `forceKillAfterDelay` all signal the leader's pid only (`subprocess.kill()`), never the group,
 * and its line iteration has no cap on a line's length. Group termination, bounded line
 * splitting and streaming to a file had to be written here either way, and what remained of
 * execa (spawn + stdin `input`) is a few lines of `spawn`.
 */
import { spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { LanesError } from "../errors.js";
import { type DirectLog, openDirectLog, readLogEnd } from "./direct-log.js";
import { OutputPump, type OutputStream } from "./output-pump.js";
import { OutputTail } from "./output-tail.js";
import { isProcessGroupAlive, killProcessGroup } from "./process-group.js";

export { isProcessGroupAlive, killProcessGroup, killProcessGroupNow } from "./process-group.js";

export type { OutputStream };

export interface AgentProcessOptions {
  /** Program and arguments; never passed through a shell. */
  argv: string[];
  cwd: string;
  /** Added to the inherited environment. */
  env: Record<string, string>;
  /** Written to stdin as UTF-8, then stdin is closed. */
  prompt: string;
  /** stdout and stderr are appended here, raw, as they arrive. Parent folders are created. */
  logPath: string;
  /** 0 or Infinity: no timeout. */
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL when the group is ended. */
  graceMs: number;
  signal?: AbortSignal;
  /** Each complete line (without its newline), decoded as UTF-8 with U+FFFD for bad bytes. */
  onLine?: (line: string, stream: OutputStream) => void;
  /** Called once the process exists; `pid` is also its process group id. */
  onSpawn?: (pid: number) => void;
  /**
   * Called once the group is gone, before waiting for the outputs to close: ends what left the
   * group (a daemon in a new session), so that outputs it still holds close at once.
   */
  afterGroupEnded?: () => Promise<void>;
}

export interface AgentProcessResult {
  /** Set when the process exited on its own accord (even after a SIGTERM it handled). */
  exitCode: number | undefined;
  /** The signal that ended the process, e.g. "SIGTERM" or "SIGKILL". */
  signal: string | undefined;
  timedOut: boolean;
  aborted: boolean;
  /** The program could not be started (not found, not executable, no such cwd). */
  spawnError: string | undefined;
  durationMs: number;
  /** Also the process group id. */
  pid: number | undefined;
  /** The last lines of output (stdout and stderr interleaved), each cut to a sane length. */
  tail: string[];
  /** The last lines of stderr alone: where a failing program says why. */
  stderrTail: string[];
  /** Writing the log failed (disk full, say); output after the failure was dropped. */
  logError: string | undefined;
}

const TAIL_LINES = 20;
const TAIL_LINE_CHARS = 1_000;
const STDERR_TAIL_LINES = 5;
/** setTimeout's limit; longer delays would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export async function runAgentProcess(options: AgentProcessOptions): Promise<AgentProcessResult> {
  const startedAt = performance.now();
  const result: AgentProcessResult = {
    exitCode: undefined,
    signal: undefined,
    timedOut: false,
    aborted: false,
    spawnError: undefined,
    durationMs: 0,
    pid: undefined,
    tail: [],
    stderrTail: [],
    logError: undefined,
  };
  const finish = (): AgentProcessResult => {
    result.durationMs = Math.round(performance.now() - startedAt);
    return result;
  };

  if (options.signal?.aborted) {
    result.aborted = true;
    return finish();
  }
  const [program, ...args] = options.argv;
  if (program === undefined || program === "") {
    result.spawnError = "the agent command is empty";
    return finish();
  }
  const cwdError = await checkCwd(options.cwd);
  if (cwdError !== undefined) {
    result.spawnError = cwdError;
    return finish();
  }

  const log = await openLog(options.logPath);
  log.on("error", (error) => {
    result.logError ??= `cannot write ${options.logPath}: ${error.message}`;
  });

  // Nobody reads stdout's lines: the agent writes them into the log itself (direct-log.ts).
  const direct = options.onLine
    ? undefined
    : await openDirectLog(options.logPath).catch(() => undefined);

  let child: ReturnType<typeof spawnGroup>;
  try {
    child = spawnGroup(program, args, options, direct);
  } catch (error) {
    // Synchronous throws are bad arguments (a NUL byte in argv or env, say).
    result.spawnError = `cannot start ${JSON.stringify(program)}: ${(error as Error).message}`;
    await closeLog(log);
    return finish();
  } finally {
    // The child has its own copy of the descriptor once spawn returns. Not awaited: the child's
    // listeners below must be in place before its first event (a missing program's "error").
    void direct?.close();
  }

  const outcome = new Promise<
    { code: number | null; signal: NodeJS.Signals | null } | { error: Error }
  >((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (error) => resolve({ error }));
  });

  // The agent may exit without reading its prompt: that EPIPE is not our failure.
  child.stdin?.on("error", () => {});
  child.stdin?.end(options.prompt, "utf8");

  const tail = new OutputTail();
  const stderrTail = new OutputTail();
  const onLine = options.onLine;
  const output = new OutputPump(
    log,
    // With a direct log, the tail is read back from the file at the end, stdout and stderr alike.
    direct ? undefined : tail,
    stderrTail,
    onLine &&
      ((line, stream) => {
        try {
          onLine(line, stream);
        } catch {
          // A listener's bug must not kill the agent's output stream (and with it the run).
        }
      }),
  );
  if (child.stdout) output.add(child.stdout, "stdout");
  if (child.stderr) output.add(child.stderr, "stderr");

  const pid = child.pid;
  let ending: Promise<void> | undefined;
  const end = (why: "timedOut" | "aborted"): void => {
    if (ending !== undefined || pid === undefined) return;
    result[why] = true;
    ending = killProcessGroup(pid, options.graceMs).catch(() => {});
  };
  const timeoutMs = options.timeoutMs;
  const timer =
    Number.isFinite(timeoutMs) && timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS
      ? setTimeout(() => end("timedOut"), timeoutMs)
      : undefined;
  const onAbort = (): void => end("aborted");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort(); // aborted while the log was being opened

  if (pid !== undefined) {
    result.pid = pid;
    try {
      options.onSpawn?.(pid);
    } catch {
      // Same as onLine: recording the pid is the caller's business, ending the group is ours.
    }
  }

  const exit = await outcome;
  clearTimeout(timer);
  options.signal?.removeEventListener("abort", onAbort);

  if ("error" in exit) {
    result.spawnError = describeSpawnError(program, exit.error);
    output.destroy();
  } else {
    result.exitCode = exit.code ?? undefined;
    result.signal = exit.signal ?? undefined;
  }
  if (pid !== undefined) {
    // Whatever the agent left running in its group (a dev server, a watcher) ends with it.
    if (ending === undefined && safeAlive(pid)) {
      ending = killProcessGroup(pid, options.graceMs).catch(() => {});
    }
    await ending;
  }
  await options.afterGroupEnded?.().catch(() => {});
  await output.drained();
  await closeLog(log);
  if (direct)
    tail.push(await readLogEnd(options.logPath, direct.start).catch(() => Buffer.alloc(0)));
  result.tail = tail.lines(TAIL_LINES, TAIL_LINE_CHARS);
  result.stderrTail = stderrTail.lines(STDERR_TAIL_LINES, TAIL_LINE_CHARS);
  return finish();
}

function spawnGroup(
  program: string,
  args: string[],
  options: AgentProcessOptions,
  direct: DirectLog | undefined,
) {
  return spawn(program, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    // setsid(): a new session and process group led by the child, so -pid reaches the whole tree
    // and a Ctrl-C in lanes' terminal does not reach agents behind lanes' back.
    detached: true,
    stdio: ["pipe", direct ? direct.fd : "pipe", "pipe"],
    windowsHide: true,
  });
}

async function checkCwd(cwd: string): Promise<string | undefined> {
  try {
    if ((await stat(cwd)).isDirectory()) return undefined;
    return `the working directory ${JSON.stringify(cwd)} is not a directory`;
  } catch {
    // Checked here because spawn reports a missing cwd as the program's ENOENT.
    return `the working directory ${JSON.stringify(cwd)} does not exist`;
  }
}

function describeSpawnError(program: string, error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  const name = JSON.stringify(program);
  if (code === "ENOENT") return `command not found: ${name} (is it installed and on PATH?)`;
  if (code === "EACCES") return `permission denied: ${name} is not executable`;
  return `cannot start ${name}: ${error.message}`;
}

function safeAlive(pgid: number): boolean {
  try {
    return isProcessGroupAlive(pgid);
  } catch {
    return false;
  }
}

async function openLog(path: string): Promise<WriteStream> {
  try {
    await mkdir(dirname(path), { recursive: true });
    const log = createWriteStream(path, { flags: "a" });
    await new Promise<void>((resolve, reject) => {
      log.once("open", () => resolve());
      log.once("error", reject);
    });
    return log;
  } catch (error) {
    throw new LanesError("E_IO", `Cannot open the log file ${JSON.stringify(path)}`, {
      cause: error,
      hint: "Check that the run folder is writable and the disk is not full.",
      exitCode: 1,
    });
  }
}

async function closeLog(log: WriteStream): Promise<void> {
  if (log.destroyed) return;
  await new Promise<void>((resolve) => {
    log.once("close", () => resolve());
    log.end();
  });
}
