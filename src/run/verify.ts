import { runAgentProcess } from "../agents/process.js";
import { type AttemptFailure, isSuccess } from "./attempt.js";

/** How the settings' verify command reads in prompts and messages. */
export function verifyText(verify: string | string[] | undefined): string | undefined {
  return Array.isArray(verify) ? verify.join(" ") : verify;
}

/**
 * Runs the settings' verify command (the test gate) in a lane, its output to its own log. A
 * string is the user's own shell command (`npm test`), run by `sh -c`; an array is an argv.
 * Task text never gets here. A failure is retryable: the agent may fix what the tests found.
 */
export async function runVerify(
  verify: string | string[] | undefined,
  options: {
    lane: string;
    env: Record<string, string>;
    logPath: string;
    timeoutMs: number;
    graceMs: number;
  },
): Promise<AttemptFailure | undefined> {
  if (!verify) return undefined;
  const result = await runAgentProcess({
    argv: typeof verify === "string" ? ["sh", "-c", verify] : verify,
    cwd: options.lane,
    env: options.env,
    prompt: "",
    logPath: options.logPath,
    timeoutMs: options.timeoutMs,
    graceMs: options.graceMs,
  });
  if (isSuccess(result)) return undefined;
  const last = result.tail.filter((line) => line.trim()).at(-1) ?? "";
  const how = result.exitCode ?? result.signal ?? result.spawnError;
  return {
    reason: "verify",
    detail: `\`${verifyText(verify)}\` failed (${how})${last ? `: ${last}` : ""} — log: ${options.logPath}`,
    retryable: true,
  };
}
