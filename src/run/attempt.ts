import { classifyFailure } from "../agents/classify.js";
import type { AgentSignal } from "../agents/parsers/types.js";
import type { AgentProcessResult } from "../agents/process.js";
import type { FailureReason } from "./events.js";

/** Why an attempt failed, and whether trying again could help. */
export interface AttemptFailure {
  reason: FailureReason;
  detail: string;
  retryable: boolean;
  retryAfterMs?: number;
}

/** Turns a failed agent process into a reason a user can act on, instead of "exit code 1". */
export function classifyAttempt(
  result: AgentProcessResult,
  signals: AgentSignal[],
): AttemptFailure {
  if (result.spawnError) {
    return { reason: "spawn", detail: result.spawnError, retryable: false };
  }
  if (result.aborted) {
    const auth = signals.find(
      (signal) => signal.kind === "error" && (signal.status === 401 || signal.status === 403),
    );
    if (auth && auth.kind === "error") {
      return {
        reason: "auth",
        detail: `${auth.message.startsWith(String(auth.status)) ? "" : `${auth.status}: `}${auth.message} (the agent was ended at once)`,
        retryable: false,
      };
    }
    return { reason: "interrupted", detail: "ended by lanes", retryable: false };
  }
  return classifyFailure({
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    tail: result.tail,
    stderrTail: result.stderrTail,
    signals,
  });
}

/** Exit 0, on its own: not timed out, not ended by lanes, started at all. */
export function isSuccess(result: AgentProcessResult): boolean {
  return result.exitCode === 0 && !result.timedOut && !result.aborted && !result.spawnError;
}
