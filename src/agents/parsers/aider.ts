/**
 * Aider has no structured output; with `--no-pretty` its lines are stable enough to read:
 * `Applied edit to src/a.ts`, `Tokens: 2.4k sent, 263 received. Cost: $0.01 message, $0.02
 * session.` (one per model call), and litellm's exception names for API failures. It has no
 * session id to resume.
 */
import { displayPath, oneLine, statusInText } from "./activity.js";
import type { AgentSignal, ParserOptions, StreamParser } from "./types.js";

/** litellm's exception classes, as aider prints them, by HTTP status. */
const LITELLM_STATUS: Record<string, number> = {
  AuthenticationError: 401,
  PermissionDeniedError: 403,
  NotFoundError: 404,
  RateLimitError: 429,
  InternalServerError: 500,
  ServiceUnavailableError: 503,
};

/** What aider says instead of the exception name in some versions. */
const PLAIN_ERRORS: [RegExp, number][] = [
  [/not able to authenticate you|invalid api key|incorrect api key/i, 401],
  [/has rate limited you|rate limit/i, 429],
  [/overloaded/i, 529],
  [/servers are down|service unavailable/i, 503],
];

const TOKENS = /^Tokens:\s*(.+?)\.?(?:\s+Cost:\s*(.+))?$/;
const AMOUNT = /([\d.,]+)\s*([kKmM])?\s+(sent|received|cache write|cache hit)/g;

export function createAiderParser(options: ParserOptions = {}): StreamParser {
  return {
    parseLine(raw) {
      const line = raw.trim();
      if (line === "") return [];
      const tokens = TOKENS.exec(line);
      if (tokens) return usageSignals(tokens[1] ?? "", tokens[2]);
      const applied = /^Applied edit to (.+)$/.exec(line);
      if (applied?.[1]) {
        return [
          { kind: "activity", text: oneLine(`Edit ${displayPath(applied[1], options.cwd)}`) },
        ];
      }
      const added = /^Added (.+) to the chat\.?$/.exec(line);
      if (added?.[1]) {
        return [{ kind: "activity", text: oneLine(`Read ${displayPath(added[1], options.cwd)}`) }];
      }
      const running = /^Running (.+)$/.exec(line);
      if (running?.[1]) return [{ kind: "activity", text: oneLine(`Bash: ${running[1]}`) }];
      const commit = /^Commit ([0-9a-f]{7,40})\b/.exec(line);
      if (commit?.[1]) return [{ kind: "activity", text: `Commit ${commit[1]}` }];
      return errorSignals(line);
    },
  };
}

/** One model call: `2.4k sent, 1.1k cache write, 263 received` and `$0.01 message, $0.02 session`. */
function usageSignals(amounts: string, costText: string | undefined): AgentSignal[] {
  const tokens = { input: 0, output: 0 };
  for (const [, number, unit, what] of amounts.matchAll(AMOUNT)) {
    const value = parseAmount(number ?? "", unit);
    if (what === "received") tokens.output += value;
    else tokens.input += value; // sent, cache write and cache hit are all prompt tokens
  }
  const call = costText ? /\$([\d.,]+)\s+(?:message|request)/.exec(costText) : null;
  const cost = call?.[1] ? Number(call[1].replace(/,/g, "")) : undefined;
  return [
    cost === undefined || !Number.isFinite(cost)
      ? { kind: "usage", tokens }
      : { kind: "usage", tokens, cost },
  ];
}

function parseAmount(number: string, unit: string | undefined): number {
  const value = Number(number.replace(/,/g, ""));
  if (!Number.isFinite(value)) return 0;
  const scale = unit === "k" || unit === "K" ? 1_000 : unit === "m" || unit === "M" ? 1_000_000 : 1;
  return Math.round(value * scale);
}

function errorSignals(line: string): AgentSignal[] {
  const litellm = /\blitellm\.(\w+Error)\b/.exec(line);
  if (litellm?.[1]) {
    const status = statusInText(line) ?? LITELLM_STATUS[litellm[1]];
    const message = oneLine(line, 300);
    return [status === undefined ? { kind: "error", message } : { kind: "error", status, message }];
  }
  for (const [pattern, status] of PLAIN_ERRORS) {
    if (pattern.test(line) && /^(?:The API provider|Error|litellm|Retrying|API)/i.test(line)) {
      return [{ kind: "error", status, message: oneLine(line, 300) }];
    }
  }
  return [];
}
