/**
 * opencode's `opencode run --format json` output: one event a line, each with `sessionID` and a
 * `part`: `tool_use` (a finished tool call), `step_finish` (tokens and cost of one model step),
 * `text`, and `error` (`{name, data: {message, statusCode}}`).
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

export function createOpencodeParser(options: ParserOptions = {}): StreamParser {
  let session: string | undefined;
  return {
    parseLine(line) {
      const event = parseJsonObject(line);
      if (!event) return [];
      const signals: AgentSignal[] = [];
      const id = asString(event.sessionID);
      if (id !== undefined && id !== session) {
        session = id;
        signals.push({ kind: "session", id });
      }
      const part = isRecord(event.part) ? event.part : {};
      switch (event.type) {
        case "tool_use": {
          const tool = asString(part.tool);
          const state = isRecord(part.state) ? part.state : {};
          if (tool) {
            signals.push({ kind: "activity", text: toolActivity(tool, state.input, options.cwd) });
          }
          break;
        }
        case "step_finish": {
          const tokens = isRecord(part.tokens) ? part.tokens : {};
          const cache = isRecord(tokens.cache) ? tokens.cache : {};
          signals.push({
            kind: "usage",
            tokens: {
              input: count(tokens.input) + count(cache.read) + count(cache.write),
              output: count(tokens.output) + count(tokens.reasoning),
            },
            cost: count(part.cost),
          });
          break;
        }
        case "error":
          signals.push(errorSignal(event.error));
          break;
      }
      return signals;
    },
  };
}

function errorSignal(error: unknown): AgentSignal {
  const record = isRecord(error) ? error : {};
  const data = isRecord(record.data) ? record.data : {};
  const name = asString(record.name) ?? "error";
  const message = oneLine(asString(data.message) ?? asString(record.message) ?? name, 300);
  const status =
    typeof data.statusCode === "number"
      ? data.statusCode
      : name === "ProviderAuthError"
        ? 401
        : statusInText(message);
  return status === undefined ? { kind: "error", message } : { kind: "error", status, message };
}
