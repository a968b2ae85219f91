/**
 * Why an agent attempt failed, instead of "exit code 1": from what its parser saw (HTTP statuses,
 * error messages) and the tail of its log. Only transient reasons are retryable; a rate limit
 * carries the wait the agent announced when there is one. `no_changes` and `conflict` are decided
 * by the orchestrator, which sees the worktree.
 */
import type { FailureReason } from "../run/events.js";
import { oneLine } from "./parsers/activity.js";
import type { AgentSignal } from "./parsers/types.js";

export interface AttemptOutcome {
  exitCode: number | null | undefined;
  /** The signal that ended the agent (`SIGKILL`), if one did. */
  signal: string | null | undefined;
  timedOut: boolean;
  /** The last lines of the agent's output (stdout and stderr), oldest first. */
  tail: string[];
  /** The last lines of its stderr alone, oldest first. */
  stderrTail?: string[];
  /** Everything the agent's parser reported during the attempt, in order. */
  signals: AgentSignal[];
  /** The clock, for reset times such as "resets 3pm"; Date.now() by default. */
  now?: number;
}

export interface FailureClass {
  reason: FailureReason;
  detail: string;
  retryable: boolean;
  /** For rate limits: how long until the limit resets, when the agent said. */
  retryAfterMs?: number;
}

/**
 * True for signals after which the agent cannot succeed but would go on retrying by itself:
 * Claude Code retries a 401 ten times over several minutes. The orchestrator ends the agent's
 * process group at once on such a signal and then classifies the attempt (as `auth`).
 */
export function stopsAgent(signal: AgentSignal): boolean {
  return signal.kind === "error" && (signal.status === 401 || signal.status === 403);
}

const AUTH_TEXT =
  /\b(?:authentication_error|authentication_failed|invalid[ _-]?api[ _-]?key|incorrect api key|invalid x-api-key|api key not valid|unauthenticated|401 unauthorized|403 forbidden|permission_error|please run \/login|not logged in|invalid auth method|oauth token (?:has )?expired)\b/i;
const RATE_TEXT =
  /\b(?:rate[ _-]?limit(?:ed)?|too many requests|(?:status|code|error)\W{0,3}429|usage limit|hit your (?:usage )?limit|limit reached|resource_exhausted|quota exceeded|exceeded your current quota|exhausted your (?:daily )?quota)\b/i;
const OVERLOADED_TEXT =
  /\b(?:overloaded(?:_error)?|(?:status|code|error)\W{0,3}529|503 service unavailable|service unavailable|server is busy|unavailable\b.*\bhigh demand)\b/i;
const RECENT_LINES = 10;
/** Exit codes of a program that trapped a fatal signal and exited with 128 + its number. */
const TRAPPED: Record<number, string> = { 137: "SIGKILL", 143: "SIGTERM" };

const ERROR_LINE =
  /\b(?:error|failed|failure|fatal|exception|panic|cannot|can't|unable|denied|refused|invalid|not found|traceback)\b/i;

export function classifyFailure(outcome: AttemptOutcome): FailureClass {
  const now = outcome.now ?? Date.now();
  const errors = outcome.signals.filter(
    (signal): signal is Extract<AgentSignal, { kind: "error" }> => signal.kind === "error",
  );
  // Plain-text lines only: the JSON lines of the agent's stream were read by its parser already,
  // and their tool outputs can say anything ("429 tests passed").
  const text = outcome.tail.filter(
    (line) => line.trim() !== "" && !line.trimStart().startsWith("{"),
  );
  // A failing agent says why at the end; earlier lines may be test output about other 401s.
  const messages = [...errors.map((error) => error.message), ...text.slice(-RECENT_LINES)];

  if (outcome.timedOut) {
    return { reason: "timeout", detail: "the agent ran past its timeout", retryable: true };
  }

  const auth = errors.find((error) => error.status === 401 || error.status === 403);
  const authText = auth ? undefined : [...messages].reverse().find((line) => AUTH_TEXT.test(line));
  if (auth || authText !== undefined) {
    const detail = auth ? describe(auth) : oneLine(authText ?? "", 300);
    return { reason: "auth", detail, retryable: false };
  }

  // The latest API error decides between a rate limit and an overload: a CLI may have recovered
  // from one before it hit the other.
  const last = [...errors].reverse().find((error) => error.status !== undefined);
  const rateText = [...messages].reverse().find((line) => RATE_TEXT.test(line));
  if (last?.status === 429 || (last === undefined && rateText !== undefined)) {
    return rateLimited(last ?? { message: rateText ?? "rate limited" }, messages, now);
  }
  const overloadText = [...messages].reverse().find((line) => OVERLOADED_TEXT.test(line));
  if (
    last?.status === 529 ||
    last?.status === 503 ||
    (last === undefined && overloadText !== undefined)
  ) {
    const detail = last ? describe(last) : oneLine(overloadText ?? "", 300);
    return { reason: "overloaded", detail, retryable: true };
  }
  // A usage-limit message (Claude's "You've hit your limit · resets 3pm") may come with no status.
  if (rateText !== undefined && /usage limit|hit your|limit reached|quota/i.test(rateText)) {
    return rateLimited({ message: rateText }, messages, now);
  }

  if (outcome.signal) {
    return {
      reason: "crash",
      detail: `the agent was killed by ${outcome.signal}`,
      retryable: true,
    };
  }
  // Node CLIs (Claude Code among them) trap SIGTERM and exit with 128 + 15 themselves.
  const trapped = typeof outcome.exitCode === "number" ? TRAPPED[outcome.exitCode] : undefined;
  if (trapped !== undefined) {
    const detail = `the agent was ended by ${trapped} (exit code ${outcome.exitCode})`;
    return { reason: "crash", detail, retryable: true };
  }

  const lastError = errors[errors.length - 1];
  const errorLine = [...text].reverse().find((line) => ERROR_LINE.test(line));
  // Else the last thing it said on stderr ("[a] done" on stdout says less), else its last line.
  const lastStderr = (outcome.stderrTail ?? [])
    .filter((line) => line.trim() !== "" && !line.trimStart().startsWith("{"))
    .at(-1);
  const fallback = lastStderr ?? text[text.length - 1];
  const code = outcome.exitCode ?? "unknown";
  const detail = lastError
    ? describe(lastError)
    : oneLine(errorLine ?? fallback ?? `the agent exited with code ${code}`, 300);
  return { reason: "exit", detail, retryable: true };
}

function describe(error: { status?: number; message: string }): string {
  const message = oneLine(error.message, 300);
  if (error.status === undefined || message.includes(String(error.status))) return message;
  return `${error.status}: ${message}`;
}

function rateLimited(
  error: { status?: number; message: string; retryAfterMs?: number },
  messages: string[],
  now: number,
): FailureClass {
  const result: FailureClass = { reason: "rate_limit", detail: describe(error), retryable: true };
  let wait = error.retryAfterMs;
  for (const message of [...messages].reverse()) {
    if (wait !== undefined) break;
    wait = parseResetTime(message, now);
  }
  if (wait !== undefined) result.retryAfterMs = wait;
  return result;
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
};

/**
 * Milliseconds until a rate limit resets, from the ways agents say it:
 * - Claude Code: `Claude AI usage limit reached|1760000000` (epoch seconds), `You've hit your
 *   limit · resets 3pm (Europe/Berlin)`, `resets at 3:30pm`
 * - Codex: `try again in 2 days 3 hours 5 minutes`, `try again at 4:12 PM`
 * - Gemini: `Please retry in 23.5s`, `"retryDelay": "23s"`
 * - anything: `retry-after: 30`
 * Undefined when the text gives no time, or a time that has passed.
 */
export function parseResetTime(text: string, now: number): number | undefined {
  const epoch = /limit reached\|(\d{10,13})\b/i.exec(text);
  if (epoch?.[1]) {
    const value = Number(epoch[1]);
    return positive((value < 1e12 ? value * 1000 : value) - now);
  }
  const delay = /"?retryDelay"?\s*:\s*"(\d+(?:\.\d+)?)s"/i.exec(text);
  if (delay?.[1]) return positive(Number(delay[1]) * 1000);
  const header = /\bretry[- ]after\s*[:=]\s*(\d+(?:\.\d+)?)\b/i.exec(text);
  if (header?.[1]) return positive(Number(header[1]) * 1000);
  const within =
    /\b(?:retry|try again|resets?)\s+in\s+((?:\d+(?:\.\d+)?\s*[a-z]+[\s,]*(?:and\s+)?)+)/i.exec(
      text,
    );
  if (within?.[1]) {
    const ms = parseSpan(within[1]);
    if (ms !== undefined) return positive(ms);
  }
  const at =
    /\b(?:resets?|try again|retry)(?:\s+at)?\s+(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?\b(?:\s*\(([^)]+)\))?/i.exec(
      text,
    );
  if (at?.[1]) {
    const hour12 = Number(at[1]) % 12;
    const hour = (at[3] ?? "").toLowerCase() === "p" ? hour12 + 12 : hour12;
    return positive(untilClock(hour, Number(at[2] ?? 0), at[4], now));
  }
  return undefined;
}

function positive(ms: number): number | undefined {
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : undefined;
}

/** `2 days 3 hours 5 minutes`, `23.5s`, `1h 30m` -> milliseconds. */
function parseSpan(span: string): number | undefined {
  let total = 0;
  let matched = false;
  for (const [, amount, unit] of span.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/gi)) {
    const name = (unit ?? "").toLowerCase();
    const scale = UNIT_MS[name] ?? UNIT_MS[name.replace(/s$/, "")];
    if (scale === undefined) continue;
    total += Number(amount) * scale;
    matched = true;
  }
  return matched ? total : undefined;
}

/** Milliseconds from `now` to the next time the clock shows hour:minute, in `timeZone` if known. */
function untilClock(
  hour: number,
  minute: number,
  timeZone: string | undefined,
  now: number,
): number {
  const offset = zoneOffsetMs(timeZone, now);
  const local = new Date(now + offset); // wall-clock time in the zone, read with UTC getters
  const target = Date.UTC(
    local.getUTCFullYear(),
    local.getUTCMonth(),
    local.getUTCDate(),
    hour,
    minute,
  );
  let wait = target - local.getTime();
  if (wait <= 0) wait += 86_400_000;
  return wait;
}

/** The zone's offset from UTC at `now`; the machine's own zone when the name is unknown. */
function zoneOffsetMs(timeZone: string | undefined, now: number): number {
  if (timeZone !== undefined) {
    try {
      const parts = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      }).formatToParts(new Date(now));
      const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
      const wall = Date.UTC(
        get("year"),
        get("month") - 1,
        get("day"),
        get("hour"),
        get("minute"),
        get("second"),
      );
      return wall - Math.floor(now / 1000) * 1000;
    } catch {
      // not an IANA zone name: fall through to the local zone
    }
  }
  return -new Date(now).getTimezoneOffset() * 60_000;
}
