/**
 * A stand-in of the Gemini API (`POST /v1beta/models/MODEL:streamGenerateContent?alt=sse`) for
 * driving the real Gemini CLI offline: `GOOGLE_GEMINI_BASE_URL=<url>`. The model answers with one
 * `run_shell_command` call (which runs in the workspace), then, once the function response is
 * back, with a final text. Gemini sends bare `data:` lines, no `event:` names.
 */
import {
  isRecord,
  type ModelTurn,
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

const MODEL_CALL =
  /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(streamGenerateContent|generateContent)$/;

function offersShell(body: Record<string, unknown>): boolean {
  for (const object of walkObjects(body.tools)) {
    if (object.name === "run_shell_command") return true;
  }
  return false;
}

const gemini: WireFormat = {
  isModelRequest(request) {
    const path = request.url.split("?")[0] ?? "";
    return request.method === "POST" && MODEL_CALL.test(path);
  },

  turnFor(request) {
    const body = isRecord(request.body) ? request.body : {};
    if (!offersShell(body)) return "final_text";
    for (const object of walkObjects(body.contents)) {
      if (isRecord(object.functionResponse)) return "final_text";
    }
    return "tool_call";
  },

  writeTurn(response, turn, script, request) {
    const path = request.url.split("?")[0] ?? "";
    const [, model = "gemini-2.5-pro", method] = MODEL_CALL.exec(path) ?? [];
    const chunk = candidate(turn, script, model);
    if (method === "generateContent") {
      sendJson(response, 200, chunk);
      return;
    }
    startSse(response);
    sendEvent(response, undefined, chunk);
    response.end();
  },

  writeError(response, status, retryAfterSeconds) {
    const statusText =
      status === 401
        ? "UNAUTHENTICATED"
        : status === 403
          ? "PERMISSION_DENIED"
          : status === 429
            ? "RESOURCE_EXHAUSTED"
            : status === 503
              ? "UNAVAILABLE"
              : "INTERNAL";
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (retryAfterSeconds !== undefined) headers["retry-after"] = String(retryAfterSeconds);
    response.writeHead(status, headers);
    const details =
      status === 429 && retryAfterSeconds !== undefined
        ? [
            {
              "@type": "type.googleapis.com/google.rpc.RetryInfo",
              retryDelay: `${retryAfterSeconds}s`,
            },
          ]
        : [];
    response.end(
      JSON.stringify({
        error: {
          code: status,
          message:
            status === 401
              ? "API key not valid. Please pass a valid API key."
              : `stand-in ${statusText}`,
          status: statusText,
          details,
        },
      }),
    );
  },

  writeOther(response, request) {
    const path = request.url.split("?")[0] ?? "";
    if (path.endsWith(":countTokens")) {
      sendJson(response, 200, { totalTokens: 100 });
      return;
    }
    sendJson(response, 404, {
      error: { code: 404, message: `stand-in: no route ${request.url}`, status: "NOT_FOUND" },
    });
  },
};

function candidate(turn: ModelTurn, script: StandinScript, model: string): unknown {
  const part =
    turn === "tool_call"
      ? { functionCall: { name: "run_shell_command", args: { command: script.command } } }
      : { text: script.text };
  return {
    candidates: [{ content: { role: "model", parts: [part] }, finishReason: "STOP", index: 0 }],
    usageMetadata: {
      promptTokenCount: script.usage.input,
      candidatesTokenCount: script.usage.output,
      totalTokenCount: script.usage.input + script.usage.output,
    },
    modelVersion: model,
  };
}

/** Starts the stand-in on 127.0.0.1 and a random port; `close()` ends it and any hung request. */
export function startGeminiStandin(
  options: { script?: Partial<StandinScript> } = {},
): Promise<Standin> {
  return startStandin(gemini, options);
}

/** What Gemini CLI needs in `$HOME/.gemini/settings.json` to use an API key and skip folder trust. */
export const GEMINI_SETTINGS = {
  security: { auth: { selectedType: "gemini-api-key" }, folderTrust: { enabled: false } },
};
