/**
 * What lanes reads from an agent's structured output. Each preset has a parser that turns one line
 * of the agent's stdout into signals; the orchestrator turns those into events (activity, usage),
 * remembers the session id for retries, and hands the error signals to `classifyFailure`.
 */
import type { TokenUsage } from "../../run/events.js";

export type AgentSignal =
  /** What the agent is doing now, for the live view: `Bash: npm test`, `Write src/a.ts`. */
  | { kind: "activity"; text: string }
  /**
   * Tokens and cost (USD) used since the previous usage signal: add them up for the task. Input
   * counts every prompt token, cached or not.
   */
  | { kind: "usage"; tokens: TokenUsage; cost?: number }
  /** The agent's own session id, to continue it on a retry (`ResolvedAgent.resumeArgv`). */
  | { kind: "session"; id: string }
  /**
   * An API or agent error as the agent reported it. `status` is the HTTP status when known.
   * Not every error ends the agent (CLIs retry 429s and 5xx themselves); `stopsAgent()` in
   * classify.ts says which ones mean "kill it now".
   */
  | { kind: "error"; status?: number; message: string; retryAfterMs?: number }
  /** The agent's final message (a spec's plan, a qa's verdict line), when the CLI reports it. */
  | { kind: "final"; text: string };

/**
 * One parser may read every attempt of a task, one after the other (it keeps what it needs to
 * count a resumed Codex thread only once), or a fresh one each attempt.
 */
export interface StreamParser {
  /** Signals in one line of output (without its newline). Never throws; unknown lines give []. */
  parseLine(line: string): AgentSignal[];
}

export interface ParserOptions {
  /** The worktree: absolute paths inside it are shown relative to it (Claude Code says it too). */
  cwd?: string;
}
