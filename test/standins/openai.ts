/**
 * A stand-in of the OpenAI Responses API (`POST /v1/responses`, streamed as SSE) for driving the
 * real Codex CLI offline through a custom model provider (`-c model_providers.local.base_url=<url>/v1`;
 * see `codexProviderArgs`). The model answers with one `exec_command` function call, then, once
 * its output is back, with a final message.
 */
import {
  isRecord,
  type Standin,
  type StandinScript,
  sendEvent,
  sendJson,
  startSse,
  startStandin,
  type WireFormat,
  walkObjects,
} from "./common.js";

export type { RecordedRequest, Standin, StandinScript } from "./common.js";

let nextId = 0;

/** The tool Codex offers for shell commands; older releases called it `shell` with an argv. */
function shellTool(body: Record<string, unknown>): string | undefined {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const names = tools.map((tool) => (isRecord(tool) ? tool.name : undefined));
  if (names.includes("exec_command")) return "exec_command";
  if (names.includes("shell")) return "shell";
  return undefined;
}

const openai: WireFormat = {
  isModelRequest(request) {
    const path = request.url.split("?")[0];
    return request.method === "POST" && path === "/v1/responses";
  },

  turnFor(request) {
    const body = isRecord(request.body) ? request.body : {};
    if (shellTool(body) === undefined) return "final_text";
    for (const object of walkObjects(body.input)) {
      if (object.type === "function_call_output") return "final_text";
    }
    return "tool_call";
  },

  writeTurn(response, turn, script, request) {
    const body = isRecord(request.body) ? request.body : {};
    const model = typeof body.model === "string" ? body.model : "gpt-5";
    nextId += 1;
    const responseId = `resp_standin_${nextId}`;
    startSse(response);
    sendEvent(response, "response.created", {
      type: "response.created",
      response: { id: responseId, object: "response", model, status: "in_progress", output: [] },
    });
    const item = turn === "tool_call" ? functionCall(shellTool(body), script) : message(script);
    sendEvent(response, "response.output_item.added", {
      type: "response.output_item.added",
      output_index: 0,
      item: { ...item, status: "in_progress" },
    });
    if (item.type === "message") {
      sendEvent(response, "response.output_text.delta", {
        type: "response.output_text.delta",
        item_id: item.id,
        output_index: 0,
        content_index: 0,
        delta: script.text,
      });
    }
    sendEvent(response, "response.output_item.done", {
      type: "response.output_item.done",
      output_index: 0,
      item,
    });
    sendEvent(response, "response.completed", {
      type: "response.completed",
      response: {
        id: responseId,
        object: "response",
        model,
        status: "completed",
        output: [item],
        usage: {
          input_tokens: script.usage.input,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: script.usage.output,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: script.usage.input + script.usage.output,
        },
      },
    });
    response.end();
  },

  writeError(response, status, retryAfterSeconds) {
    const type =
      status === 401
        ? "invalid_request_error"
        : status === 429
          ? "rate_limit_exceeded"
          : status >= 500
            ? "server_error"
            : "invalid_request_error";
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (retryAfterSeconds !== undefined) headers["retry-after"] = String(retryAfterSeconds);
    response.writeHead(status, headers);
    response.end(
      JSON.stringify({
        error: {
          message: status === 401 ? "Incorrect API key provided: any." : `stand-in ${type}`,
          type,
          code: status === 401 ? "invalid_api_key" : type,
          param: null,
        },
      }),
    );
  },

  writeOther(response, request) {
    if (request.url.split("?")[0] === "/v1/models") {
      sendJson(response, 200, { object: "list", data: [] });
      return;
    }
    sendJson(response, 404, { error: { message: `stand-in: no route ${request.url}` } });
  },
};

interface OutputItem {
  type: string;
  id: string;
  [key: string]: unknown;
}

function functionCall(tool: string | undefined, script: StandinScript): OutputItem {
  const args =
    tool === "shell"
      ? { command: ["bash", "-lc", script.command] }
      : { cmd: script.command, yield_time_ms: 10_000 };
  return {
    type: "function_call",
    id: `fc_standin_${nextId}`,
    call_id: `call_standin_${nextId}`,
    name: tool ?? "exec_command",
    arguments: JSON.stringify(args),
    status: "completed",
  };
}

function message(script: StandinScript): OutputItem {
  return {
    type: "message",
    id: `msg_standin_${nextId}`,
    role: "assistant",
    status: "completed",
    content: [{ type: "output_text", text: script.text, annotations: [] }],
  };
}

/** Starts the stand-in on 127.0.0.1 and a random port; `close()` ends it and any hung request. */
export function startOpenAIStandin(
  options: { script?: Partial<StandinScript> } = {},
): Promise<Standin> {
  return startStandin(openai, options);
}

/**
 * The `-c` overrides that point Codex at a stand-in. `OPENAI_BASE_URL` alone is not honoured
 * (Codex dials the public host), so a custom provider is declared instead.
 */
export function codexProviderArgs(url: string): string[] {
  return [
    "-c",
    "model_provider=local",
    "-c",
    "model_providers.local.name=local",
    "-c",
    `model_providers.local.base_url=${url}/v1`,
    "-c",
    "model_providers.local.env_key=OPENAI_API_KEY",
    "-c",
    "model_providers.local.wire_api=responses",
  ];
}
