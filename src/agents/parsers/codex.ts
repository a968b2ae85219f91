/**
 * Codex CLI's `codex exec --json` output: `thread.started` (session), `item.started` /
 * `item.completed` (commands, file changes, tool calls), `turn.completed` (usage), and `error` /
 * `turn.failed` for API failures ("unexpected status 401 Unauthorized: ...").
 *
 * `turn.completed` reports the thread's running total, which on a resumed thread includes the
 * earlier invocations; the parser remembers each thread's last total and reports the difference.
 *
 * Items of type `error` are Codex's warnings ("Model metadata for `gpt-5` not found"), printed on
 * successful runs too, so they are not reported as errors.
 */

import type { TokenUsage } from "../../run/events.js";
import {
  asString,
  commandText,
  count,
  displayPath,
  isRecord,
  oneLine,
  parseJsonObject,
  statusInText,
} from "./activity.js";
import type { AgentSignal, ParserOptions, StreamParser } from "./types.js";

export function createCodexParser(options: ParserOptions = {}): StreamParser {
  const totals = new Map<string, TokenUsage>();
  let thread = "";
  return {
    parseLine(line) {
      const event = parseJsonObject(line);
      if (!event) return [];
      switch (event.type) {
        case "thread.started": {
          const id = asString(event.thread_id);
          if (id) thread = id;
          return id ? [{ kind: "session", id }] : [];
        }
        case "item.started":
        case "item.completed":
          return itemSignals(event.type, event.item, options.cwd);
        case "turn.completed":
          return usageSignals(event.usage, totals, thread);
        case "error":
          return errorSignals(asString(event.message));
        case "turn.failed":
          return errorSignals(isRecord(event.error) ? asString(event.error.message) : undefined);
        default:
          return [];
      }
    },
  };
}

function itemSignals(phase: string, item: unknown, cwd: string | undefined): AgentSignal[] {
  if (!isRecord(item)) return [];
  const started = phase === "item.started";
  switch (item.type) {
    case "command_execution": {
      if (!started) return [];
      const command = commandText(item.command);
      return [{ kind: "activity", text: oneLine(command ? `Bash: ${command}` : "Bash") }];
    }
    case "file_change": {
      // Reported once the patch is applied; the started event (if any) carries the same changes.
      if (started) return [];
      const changes = Array.isArray(item.changes) ? item.changes : [];
      return changes.filter(isRecord).map((change) => {
        const verb = change.kind === "add" ? "Write" : change.kind === "delete" ? "Delete" : "Edit";
        const path = displayPath(asString(change.path) ?? "", cwd);
        return { kind: "activity", text: oneLine(`${verb} ${path}`) };
      });
    }
    case "mcp_tool_call": {
      if (!started) return [];
      const server = asString(item.server);
      const tool = asString(item.tool) ?? "tool";
      return [{ kind: "activity", text: oneLine(server ? `${server}.${tool}` : tool) }];
    }
    case "web_search": {
      if (!started) return [];
      return [{ kind: "activity", text: oneLine(`WebSearch: ${asString(item.query) ?? ""}`) }];
    }
    default:
      return [];
  }
}

function usageSignals(
  usage: unknown,
  totals: Map<string, TokenUsage>,
  thread: string,
): AgentSignal[] {
  if (!isRecord(usage)) return [];
  // OpenAI's input_tokens already include cached_input_tokens, and output_tokens the reasoning.
  const total = { input: count(usage.input_tokens), output: count(usage.output_tokens) };
  const before = totals.get(thread) ?? { input: 0, output: 0 };
  totals.set(thread, total);
  const tokens = {
    input: Math.max(0, total.input - before.input),
    output: Math.max(0, total.output - before.output),
  };
  return [{ kind: "usage", tokens }];
}

function errorSignals(message: string | undefined): AgentSignal[] {
  if (message === undefined || message.trim() === "") return [];
  const status = statusInText(message);
  const text = oneLine(message, 300);
  return [
    status === undefined
      ? { kind: "error", message: text }
      : { kind: "error", status, message: text },
  ];
}
