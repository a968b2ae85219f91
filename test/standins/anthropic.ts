/**
 * A stand-in of the Anthropic Messages API (`POST /v1/messages`, streamed as SSE) for driving the
 * real Claude Code CLI offline: `ANTHROPIC_BASE_URL=<url>`. The model answers with one `Bash` tool
 * call (which runs in the agent's cwd), then, once the tool result is back, with a final text.
 *
 * A conversation whose prompt is one of lanes' spec or qa prompts (recognised by the templates'
 * opening text) is answered at once with a final text and no tool call, since those phases change
 * no file: a plan for spec, and for qa a review ending in the line `VERDICT: READY` (by default).
 */
import type { ServerResponse } from "node:http";
import { QA_PROMPT_MARKER, SPEC_PROMPT_MARKER } from "../../src/quality/templates.js";
import {
  isRecord,
  type ModelTurn,
  type RecordedRequest,
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

/** The final texts of the phases answered without a tool call; `false` treats them as exec. */
export interface PhaseAnswers {
  spec?: string | false;
  qa?: string | false;
}

export const DEFAULT_PHASE_ANSWERS = {
  spec: "Plan:\n1. Write standin.txt in the worktree with one line.\n2. Change nothing else.",
  qa: "I reviewed the change against the task: standin.txt is written as asked.\n\n- No problems found.\n\nVERDICT: READY",
} as const;

let nextId = 0;

/** The answer for a spec or qa conversation, recognised by its prompt; undefined otherwise. */
function phaseAnswer(request: RecordedRequest, answers: PhaseAnswers): string | undefined {
  const body = isRecord(request.body) ? request.body : {};
  // Marker texts are plain ASCII, unchanged by JSON escaping.
  const conversation = JSON.stringify(body.messages ?? []);
  const qa = answers.qa ?? DEFAULT_PHASE_ANSWERS.qa;
  if (qa !== false && conversation.includes(QA_PROMPT_MARKER)) return qa;
  const spec = answers.spec ?? DEFAULT_PHASE_ANSWERS.spec;
  if (spec !== false && conversation.includes(SPEC_PROMPT_MARKER)) return spec;
  return undefined;
}

function withPhases(answers: PhaseAnswers): WireFormat {
  return {
    ...anthropic,
    turnFor(request) {
      return phaseAnswer(request, answers) === undefined
        ? anthropic.turnFor(request)
        : "final_text";
    },
    writeTurn(response, turn, script, request) {
      const text = phaseAnswer(request, answers);
      anthropic.writeTurn(
        response,
        turn,
        text === undefined ? script : { ...script, text },
        request,
      );
    },
  };
}

const anthropic: WireFormat = {
  isModelRequest(request) {
    const path = request.url.split("?")[0];
    return request.method === "POST" && path === "/v1/messages";
  },

  turnFor(request) {
    const body = isRecord(request.body) ? request.body : {};
    const offersBash =
      Array.isArray(body.tools) &&
      body.tools.some((tool) => isRecord(tool) && tool.name === "Bash");
    if (!offersBash) return "final_text";
    for (const object of walkObjects(body.messages)) {
      if (object.type === "tool_result") return "final_text";
    }
    return "tool_call";
  },

  writeTurn(response, turn, script, request) {
    const body = isRecord(request.body) ? request.body : {};
    const model = typeof body.model === "string" ? body.model : "claude-sonnet-4-5";
    nextId += 1;
    const streaming = body.stream === true;
    if (!streaming) {
      writeNonStreaming(response, turn, script, model);
      return;
    }
    startSse(response);
    sendEvent(response, "message_start", {
      type: "message_start",
      message: {
        id: `msg_standin_${nextId}`,
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: script.usage.input,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 1,
        },
      },
    });
    if (turn === "tool_call") {
      sendEvent(response, "content_block_start", {
        type: "content_block_start",
        index: 0,
        content_block: { type: "tool_use", id: `toolu_standin_${nextId}`, name: "Bash", input: {} },
      });
      const input = JSON.stringify({ command: script.command, description: "Write the file" });
      // Split like the real API does, so the client has to assemble the JSON.
      const middle = Math.floor(input.length / 2);
      for (const part of [input.slice(0, middle), input.slice(middle)]) {
        sendEvent(response, "content_block_delta", {
          type: "content_block_delta",
          index: 0,
          delta: { type: "input_json_delta", partial_json: part },
        });
      }
    } else {
      sendEvent(response, "content_block_start", {
        type: "content_block_start",
        index: 0,
        content_block: { type: "text", text: "" },
      });
      sendEvent(response, "content_block_delta", {
        type: "content_block_delta",
        index: 0,
        delta: { type: "text_delta", text: script.text },
      });
    }
    sendEvent(response, "content_block_stop", { type: "content_block_stop", index: 0 });
    sendEvent(response, "message_delta", {
      type: "message_delta",
      delta: { stop_reason: turn === "tool_call" ? "tool_use" : "end_turn", stop_sequence: null },
      usage: { output_tokens: script.usage.output },
    });
    sendEvent(response, "message_stop", { type: "message_stop" });
    response.end();
  },

  writeError(response, status, retryAfterSeconds) {
    const type =
      status === 401
        ? "authentication_error"
        : status === 403
          ? "permission_error"
          : status === 429
            ? "rate_limit_error"
            : status === 529
              ? "overloaded_error"
              : "api_error";
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (retryAfterSeconds !== undefined) headers["retry-after"] = String(retryAfterSeconds);
    response.writeHead(status, headers);
    response.end(
      JSON.stringify({
        type: "error",
        error: { type, message: status === 401 ? "invalid x-api-key" : `stand-in ${type}` },
      }),
    );
  },

  writeOther(response, request) {
    if (request.url.startsWith("/v1/messages/count_tokens")) {
      sendJson(response, 200, { input_tokens: 100 });
      return;
    }
    sendJson(response, 404, {
      type: "error",
      error: { type: "not_found_error", message: `stand-in: no route ${request.url}` },
    });
  },
};

function writeNonStreaming(
  response: ServerResponse,
  turn: ModelTurn,
  script: StandinScript,
  model: string,
): void {
  const content =
    turn === "tool_call"
      ? [
          {
            type: "tool_use",
            id: `toolu_standin_${nextId}`,
            name: "Bash",
            input: { command: script.command, description: "Write the file" },
          },
        ]
      : [{ type: "text", text: script.text }];
  sendJson(response, 200, {
    id: `msg_standin_${nextId}`,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: turn === "tool_call" ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: { input_tokens: script.usage.input, output_tokens: script.usage.output },
  });
}

/** Starts the stand-in on 127.0.0.1 and a random port; `close()` ends it and any hung request. */
export function startAnthropicStandin(
  options: { script?: Partial<StandinScript>; phases?: PhaseAnswers } = {},
): Promise<Standin> {
  return startStandin(withPhases(options.phases ?? {}), options);
}
