/**
 * What the three model-API stand-ins share: one scripted conversation, an HTTP server on a random
 * loopback port that records every request, and the failure modes the tests need (a bad key, rate
 * limits, a hung API). Each stand-in only adds its own wire format on top.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface StandinScript {
  /** The shell command of the one tool call; it runs in the agent's cwd, so paths are relative. */
  command: string;
  /** The final assistant message, sent once the tool result comes back. */
  text: string;
  /** Tokens reported for each model response. */
  usage: { input: number; output: number };
  /** Answer every model request with this HTTP status (401: a bad key). */
  status?: number;
  /** Answer the first N model requests with 429 and a `retry-after` header. */
  rateLimitFirst?: number;
  /** The `retry-after` of those 429s, in seconds. */
  retryAfterSeconds?: number;
  /** Accept model requests and never answer them (a hung API). */
  hang?: boolean;
}

export const DEFAULT_SCRIPT: StandinScript = {
  command: "printf 'written by the stand-in\\n' > standin.txt",
  text: "Done: standin.txt is written.",
  usage: { input: 1200, output: 80 },
};

export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: IncomingMessage["headers"];
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  /** The status the stand-in answered with (undefined while hanging). */
  status: number | undefined;
}

export interface Standin {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  url: string;
  requests: RecordedRequest[];
  /** Model requests answered so far with a tool call, a final text, or an error status. */
  counts: { toolCalls: number; texts: number; errors: number };
  close(): Promise<void>;
}

/** What the wire-format layer decides for one model request. */
export type ModelTurn = "tool_call" | "final_text";

export interface WireFormat {
  /** Is this request a model turn (as opposed to a side request such as a token count)? */
  isModelRequest(request: RecordedRequest): boolean;
  /**
   * `tool_call` while the conversation has no tool result yet and the request offers tools;
   * `final_text` after it (and for side requests without tools, such as title generation).
   */
  turnFor(request: RecordedRequest): ModelTurn;
  /** Writes the streamed answer for one turn. */
  writeTurn(
    response: ServerResponse,
    turn: ModelTurn,
    script: StandinScript,
    request: RecordedRequest,
  ): void;
  /** Writes an API error in the provider's JSON shape. */
  writeError(response: ServerResponse, status: number, retryAfterSeconds: number | undefined): void;
  /** Answers anything else (token counts, model lists); a 404 is fine when unknown. */
  writeOther(response: ServerResponse, request: RecordedRequest): void;
}

/** A runaway agent loop ends here instead of spinning forever against the stand-in. */
const MAX_REQUESTS = 500;
const MAX_BODY_BYTES = 20 * 1024 * 1024;

export async function startStandin(
  wire: WireFormat,
  options: { script?: Partial<StandinScript> } = {},
): Promise<Standin> {
  const script: StandinScript = { ...DEFAULT_SCRIPT, ...options.script };
  const requests: RecordedRequest[] = [];
  const counts = { toolCalls: 0, texts: 0, errors: 0 };
  const sockets = new Set<Socket>();
  let modelRequests = 0;

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => {
        const request: RecordedRequest = {
          method: req.method ?? "GET",
          url: req.url ?? "/",
          headers: req.headers,
          body: parseJson(raw),
          status: undefined,
        };
        requests.push(request);
        const reply = (status: number) => {
          request.status = status;
        };
        if (requests.length > MAX_REQUESTS) {
          reply(500);
          counts.errors += 1;
          wire.writeError(res, 500, undefined);
          return;
        }
        if (!wire.isModelRequest(request)) {
          wire.writeOther(res, request);
          request.status = res.statusCode;
          return;
        }
        modelRequests += 1;
        if (script.hang) return; // never answered; close() destroys the socket
        if (script.status !== undefined) {
          reply(script.status);
          counts.errors += 1;
          wire.writeError(res, script.status, undefined);
          return;
        }
        if (modelRequests <= (script.rateLimitFirst ?? 0)) {
          reply(429);
          counts.errors += 1;
          wire.writeError(res, 429, script.retryAfterSeconds ?? 1);
          return;
        }
        const turn = wire.turnFor(request);
        if (turn === "tool_call") counts.toolCalls += 1;
        else counts.texts += 1;
        reply(200);
        wire.writeTurn(res, turn, script, request);
      })
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(400, { "content-type": "text/plain" });
        res.end(String(error));
      });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    counts,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hung responses and keep-alive connections would hold close() open forever.
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(raw: string): unknown {
  if (raw === "") return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** Starts a server-sent-events response. */
export function startSse(response: ServerResponse): void {
  response.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
}

/** Writes one SSE event; `event` is omitted for APIs (Gemini) that send data lines only. */
export function sendEvent(
  response: ServerResponse,
  event: string | undefined,
  data: unknown,
): void {
  const head = event === undefined ? "" : `event: ${event}\n`;
  response.write(`${head}data: ${JSON.stringify(data)}\n\n`);
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

/** True when `value` is an object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every nested object in a JSON value, depth-first; bounded so a pathological body cannot spin. */
export function* walkObjects(value: unknown, limit = 100_000): Generator<Record<string, unknown>> {
  const stack: unknown[] = [value];
  let seen = 0;
  while (stack.length > 0 && seen < limit) {
    const next = stack.pop();
    seen += 1;
    if (Array.isArray(next)) stack.push(...next);
    else if (isRecord(next)) {
      yield next;
      stack.push(...Object.values(next));
    }
  }
}
