/**
 * Claude Code's `--output-format stream-json --verbose` output: `system/init` (session),
 * `assistant` messages (tool calls), `system/api_retry` (the CLI retrying an API error by itself,
 * for minutes on a 401) and the closing `result` (usage, cost, and whether it failed).
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

/** The `error` field of a synthetic assistant message, by the status it stands for. */
const ERROR_STATUS: Record<string, number> = {
  authentication_failed: 401,
  billing_error: 402,
  rate_limit: 429,
  server_error: 500,
  overloaded: 529,
};

export function createClaudeParser(options: ParserOptions = {}): StreamParser {
  let cwd = options.cwd;
  return {
    parseLine(line) {
      const event = parseJsonObject(line);
      if (!event) return [];
      switch (event.type) {
        case "system":
          if (event.subtype === "init") cwd ??= asString(event.cwd);
          return systemSignals(event);
        case "assistant":
          return assistantSignals(event, cwd);
        case "result":
          return resultSignals(event);
        default:
          return [];
      }
    },
  };
}

function systemSignals(event: Record<string, unknown>): AgentSignal[] {
  if (event.subtype === "init") {
    const id = asString(event.session_id);
    return id ? [{ kind: "session", id }] : [];
  }
  if (event.subtype === "api_retry") {
    const status = typeof event.error_status === "number" ? event.error_status : undefined;
    const what = asString(event.error) ?? "API error";
    const attempt = typeof event.attempt === "number" ? event.attempt : undefined;
    const max = typeof event.max_retries === "number" ? event.max_retries : undefined;
    const retry = attempt === undefined ? "" : ` (retry ${attempt}${max ? `/${max}` : ""})`;
    const message = `${status ?? "API"} ${what}${retry}`;
    return [status === undefined ? { kind: "error", message } : { kind: "error", status, message }];
  }
  return [];
}

function assistantSignals(event: Record<string, unknown>, cwd: string | undefined): AgentSignal[] {
  const message = isRecord(event.message) ? event.message : {};
  const content = Array.isArray(message.content) ? message.content : [];
  const signals: AgentSignal[] = [];
  for (const block of content) {
    if (isRecord(block) && block.type === "tool_use" && typeof block.name === "string") {
      signals.push({ kind: "activity", text: toolActivity(block.name, block.input, cwd) });
    }
  }
  // A synthetic message (model "<synthetic>") carries API failures: "API Error: 401 ...",
  // "Claude AI usage limit reached|1760000000", with `error` naming the kind.
  const kind = asString(event.error);
  if (kind !== undefined) {
    const text = content
      .map((block) => (isRecord(block) ? asString(block.text) : undefined))
      .filter((part): part is string => part !== undefined)
      .join(" ");
    const status = statusInText(text) ?? ERROR_STATUS[kind];
    const detail = oneLine(text || kind, 300);
    signals.push(
      status === undefined
        ? { kind: "error", message: detail }
        : { kind: "error", status, message: detail },
    );
  }
  return signals;
}

function resultSignals(event: Record<string, unknown>): AgentSignal[] {
  const signals: AgentSignal[] = [];
  const usage = isRecord(event.usage) ? event.usage : undefined;
  if (usage) {
    // Anthropic reports cached prompt tokens apart from `input_tokens`; lanes counts every token
    // the model read as input, so input = input_tokens + cache_creation + cache_read.
    const input =
      count(usage.input_tokens) +
      count(usage.cache_creation_input_tokens) +
      count(usage.cache_read_input_tokens);
    const cost = typeof event.total_cost_usd === "number" ? event.total_cost_usd : undefined;
    const tokens = { input, output: count(usage.output_tokens) };
    signals.push(cost === undefined ? { kind: "usage", tokens } : { kind: "usage", tokens, cost });
  }
  const failed =
    event.is_error === true || (typeof event.subtype === "string" && event.subtype !== "success");
  if (!failed && typeof event.result === "string") {
    signals.push({ kind: "final", text: event.result });
  }
  if (failed) {
    const errors = Array.isArray(event.errors)
      ? event.errors.filter((e) => typeof e === "string")
      : [];
    const text = asString(event.result) ?? (errors.join("; ") || String(event.subtype ?? "error"));
    const status =
      typeof event.api_error_status === "number" ? event.api_error_status : statusInText(text);
    const message = oneLine(text, 300);
    signals.push(
      status === undefined ? { kind: "error", message } : { kind: "error", status, message },
    );
  }
  return signals;
}
