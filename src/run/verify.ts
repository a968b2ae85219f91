import { runAgentProcess } from "../agents/process.js";
import { type AttemptFailure, isSuccess } from "./attempt.js";

/** How the settings' verify command reads in prompts and messages. */
export function verifyText(verify: string | string[] | undefined): string | undefined {
  return Array.isArray(verify) ? verify.join(" ") : verify;
}

export interface VerifyOptions {
  lane: string;
  env: Record<string, string>;
  logPath: string;
  timeoutMs: number;
  graceMs: number;
  /** The task's signal: aborting it ends verify's whole process group. */
  signal: AbortSignal;
  /** Called once verify's process group exists, to record it like an agent's. */
  onSpawn: (pgid: number) => void;
  /** Called once the group is gone. */
  onExit: (pgid: number | undefined) => void;
  /** Ends what verify left outside its group (run-leftovers.ts). */
  afterGroupEnded: () => Promise<void>;
}

/** Passed, failed (a retryable attempt failure), or ended by the task's signal. */
export type VerifyOutcome =
  | { kind: "passed" }
  | { kind: "failed"; failure: AttemptFailure }
  | { kind: "aborted" };

/**
 * Runs the settings' verify command (the test gate) in a lane, its output to its own log, as a
 * process group of its own under the task's signal and timeout, like an agent: Ctrl-C, the
 * timeout and resume's sweep end everything it started. A string is the user's own shell command
 * (`npm test`), run by `sh -c`; an array is an argv. Task text never gets here. A failure is
 * retryable: the agent may fix what the tests found.
 */
export async function runVerify(
  verify: string | string[] | undefined,
  options: VerifyOptions,
): Promise<VerifyOutcome> {
  if (!verify) return { kind: "passed" };
  const result = await runAgentProcess({
    argv: typeof verify === "string" ? ["sh", "-c", verify] : verify,
    cwd: options.lane,
    env: options.env,
    prompt: "",
    logPath: options.logPath,
    timeoutMs: options.timeoutMs,
    graceMs: options.graceMs,
    signal: options.signal,
    onSpawn: options.onSpawn,
    afterGroupEnded: options.afterGroupEnded,
  });
  options.onExit(result.pid);
  if (result.aborted) return { kind: "aborted" };
  if (isSuccess(result)) return { kind: "passed" };
  const last = result.tail.filter((line) => line.trim()).at(-1) ?? "";
  const how = result.timedOut
    ? `ended after its timeout`
    : (result.exitCode ?? result.signal ?? result.spawnError);
  return {
    kind: "failed",
    failure: {
      reason: "verify",
      detail: `\`${verifyText(verify)}\` failed (${how})${last ? `: ${last}` : ""} — log: ${options.logPath}`,
      retryable: true,
    },
  };
}
