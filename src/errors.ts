/**
 * The one error type lanes throws. Domain code throws it with a stable `code`, a message that
 * names the file, key, flag or value at fault, and a `hint` of what to do instead; the CLI alone
 * turns it into output and an exit code (see cli/main.ts).
 */
export type ErrorCode =
  | "E_USAGE"
  | "E_NOT_A_REPO"
  | "E_TASK_YAML"
  | "E_TASK_FIELD"
  | "E_TASK_ID"
  | "E_TASK_DUPLICATE"
  | "E_TASK_FILE"
  /** During a run: the agent left its task file so that its status cannot be written into it. */
  | "E_TASK_FILE_BROKEN"
  | "E_TASK_UNKNOWN_DEP"
  | "E_TASK_CYCLE"
  | "E_TASK_UNKNOWN"
  | "E_SETTINGS"
  | "E_AGENT"
  | "E_PROMPT"
  | "E_GIT"
  | "E_LOCKED"
  | "E_STATE"
  | "E_NO_RUN"
  | "E_RUN_UNFINISHED"
  | "E_IO"
  | "E_GITHUB_CONFIG"
  | "E_GITHUB_AUTH"
  | "E_GITHUB_NOT_FOUND"
  | "E_GITHUB_RATE_LIMIT"
  | "E_GITHUB_ISSUE"
  | "E_GITHUB_API"
  | "E_GITHUB_PUSH";

/** Exit codes of the CLI contract (README.md, "Exit codes"). */
export const EXIT = { ok: 0, taskFailed: 1, badInput: 2, interrupted: 130 } as const;

export interface LanesErrorOptions {
  hint?: string;
  cause?: unknown;
  /** 2 (bad input, nothing started) unless said otherwise. */
  exitCode?: number;
}

export class LanesError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: LanesErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LanesError";
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT.badInput;
  }
}

export function isLanesError(error: unknown): error is LanesError {
  return error instanceof LanesError;
}

/** Shows a value in an error message the way a user typed it: strings quoted, the rest as JSON. */
export function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(JSON.stringify(value));
}
