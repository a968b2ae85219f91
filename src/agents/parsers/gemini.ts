/**
 * Gemini CLI's `--output-format stream-json` output: `init` (session), `tool_use`, `error`
 * (severity warning or error) and the closing `result` (stats; on failure, the API error whose
 * message embeds the Google error JSON with its `code`).
 */
import {
  asString,
  count,
  isRecord,
  oneLine,
  parseJsonObject,
  statusInText,
  toolActivity,
} from "./activity.js";
import type { AgentSignal, ParserOptions, StreamParser } from "./types.js";

/** Google RPC status names, for messages that carry no numeric code. */
const RPC_STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  UNAVAILABLE: 503,
};

export function createGeminiParser(options: ParserOptions = {}): StreamParser {
  return {
    parseLine(line) {
      const event = parseJsonObject(line);
      if (!event) return [];
      switch (event.type) {
        case "init": {
          const id = asString(event.session_id);
          return id ? [{ kind: "session", id }] : [];
        }
        case "tool_use": {
          const name = asString(event.tool_name);
          return name
            ? [{ kind: "activity", text: toolActivity(name, event.parameters, options.cwd) }]
            : [];
        }
        case "error":
          return event.severity === "error" ? errorSignals(asString(event.message)) : [];
        case "result":
          return resultSignals(event);
        default:
          return [];
      }
    },
  };
}

function resultSignals(event: Record<string, unknown>): AgentSignal[] {
  const signals: AgentSignal[] = [];
  if (isRecord(event.stats)) {
    // input_tokens is the prompt token count, cached tokens included.
    const tokens = {
      input: count(event.stats.input_tokens),
      output: count(event.stats.output_tokens),
    };
    signals.push({ kind: "usage", tokens });
  }
  if (event.status === "error") {
    const error = isRecord(event.error) ? event.error : {};
    signals.push(...errorSignals(asString(error.message) ?? asString(error.type) ?? "error"));
  }
  return signals;
}

function errorSignals(message: string | undefined): AgentSignal[] {
  if (message === undefined || message.trim() === "") return [];
  const rpc = Object.keys(RPC_STATUS).find((name) => message.includes(name));
  const status = statusInText(message) ?? (rpc === undefined ? undefined : RPC_STATUS[rpc]);
  const text = oneLine(message, 300);
  return [
    status === undefined
      ? { kind: "error", message: text }
      : { kind: "error", status, message: text },
  ];
}
