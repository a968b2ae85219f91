import { describe, expect, it } from "vitest";
import { createAiderParser } from "../../src/agents/parsers/aider.js";
import { createClaudeParser } from "../../src/agents/parsers/claude.js";
import { createCodexParser } from "../../src/agents/parsers/codex.js";
import { createGeminiParser } from "../../src/agents/parsers/gemini.js";
import { createOpencodeParser } from "../../src/agents/parsers/opencode.js";
import type { AgentSignal, StreamParser } from "../../src/agents/parsers/types.js";

const CWD = "/home/dev/.lanes-worktrees/app/login";

function parseAll(parser: StreamParser, lines: string[]): AgentSignal[] {
  return lines.flatMap((line) => parser.parseLine(line));
}

/** Lines no parser may throw on or read anything from. */
const NOISE = [
  "",
  "   ",
  "not json at all",
  "{ truncated json",
  "[1, 2, 3]",
  '"a string"',
  "null",
  "{}",
  '{"type": 42}',
  '{"type":"assistant","message":null}',
  '{"type":"result","usage":"x"}',
  '{"type":"item.started","item":[]}',
  '{"type":"tool_use","tool_name":null}',
  "Warning: 256-color support not detected.",
  "\u001b[31mred\u001b[0m",
];

describe.each([
  ["claude", createClaudeParser],
  ["codex", createCodexParser],
  ["gemini", createGeminiParser],
  ["aider", createAiderParser],
  ["opencode", createOpencodeParser],
])("%s parser on lines that are not its events", (_name, create) => {
  it("ignores them without throwing", () => {
    const parser = create({ cwd: CWD });
    for (const line of NOISE) expect(parser.parseLine(line)).toEqual([]);
  });
});

describe("claude parser", () => {
  // Captured from Claude Code 2.1.197 (`-p --output-format stream-json --verbose`), shortened.
  const init = JSON.stringify({
    type: "system",
    subtype: "init",
    cwd: CWD,
    session_id: "252f8b03-c5ca-429d-ab3d-d00340cf8242",
    tools: ["Bash", "Edit", "Write"],
    model: "claude-opus-4-8[1m]",
    permissionMode: "bypassPermissions",
    apiKeySource: "ANTHROPIC_API_KEY",
  });
  const toolCall = (name: string, input: unknown) =>
    JSON.stringify({
      type: "assistant",
      message: {
        id: "msg_1",
        type: "message",
        role: "assistant",
        model: "claude-opus-4-8",
        content: [{ type: "tool_use", id: "toolu_1", name, input }],
        usage: { input_tokens: 1200, output_tokens: 1 },
      },
      parent_tool_use_id: null,
      session_id: "252f8b03-c5ca-429d-ab3d-d00340cf8242",
    });
  const toolResult = JSON.stringify({
    type: "user",
    message: {
      role: "user",
      content: [{ tool_use_id: "toolu_1", type: "tool_result", content: "(Bash completed)" }],
    },
    session_id: "252f8b03-c5ca-429d-ab3d-d00340cf8242",
  });
  const result = JSON.stringify({
    type: "result",
    subtype: "success",
    is_error: false,
    api_error_status: null,
    duration_ms: 201,
    num_turns: 2,
    result: "Done.",
    session_id: "252f8b03-c5ca-429d-ab3d-d00340cf8242",
    total_cost_usd: 0.016,
    usage: {
      input_tokens: 2400,
      cache_creation_input_tokens: 300,
      cache_read_input_tokens: 5000,
      output_tokens: 160,
      server_tool_use: { web_search_requests: 0 },
    },
  });

  it("reads the session, tool calls as activity, and usage with cost", () => {
    const signals = parseAll(createClaudeParser({ cwd: CWD }), [
      init,
      toolCall("Bash", { command: "npm test", description: "Run tests" }),
      toolResult,
      toolCall("Write", { file_path: `${CWD}/src/a.ts`, content: "x" }),
      toolCall("Edit", { file_path: `${CWD}/src/b.ts`, old_string: "a", new_string: "b" }),
      toolCall("Read", { file_path: "/etc/hosts" }),
      toolCall("Grep", { pattern: "TODO", path: CWD }),
      toolCall("mcp__github__create_issue", { title: "x" }),
      result,
    ]);
    expect(signals).toEqual([
      { kind: "session", id: "252f8b03-c5ca-429d-ab3d-d00340cf8242" },
      { kind: "activity", text: "Bash: npm test" },
      { kind: "activity", text: "Write src/a.ts" },
      { kind: "activity", text: "Edit src/b.ts" },
      { kind: "activity", text: "Read /etc/hosts" },
      { kind: "activity", text: "Grep: TODO" },
      { kind: "activity", text: "mcp__github__create_issue" },
      { kind: "usage", tokens: { input: 7700, output: 160 }, cost: 0.016 },
      // The final message: a spec's plan or a qa's verdict line is read from it.
      { kind: "final", text: "Done." },
    ]);
  });

  it("keeps activity to one short line", () => {
    const long = `cat <<'EOF' > a.txt\n${"x".repeat(300)}\nEOF`;
    const [signal] = createClaudeParser().parseLine(toolCall("Bash", { command: long }));
    expect(signal?.kind).toBe("activity");
    const text = signal?.kind === "activity" ? signal.text : "";
    expect(text.length).toBeLessThanOrEqual(120);
    expect(text).not.toContain("\n");
  });

  it("reports the CLI's own API retries with their status (401 means: stop it now)", () => {
    const retry = JSON.stringify({
      type: "system",
      subtype: "api_retry",
      attempt: 1,
      max_retries: 10,
      retry_delay_ms: 609.47,
      error_status: 401,
      error: "authentication_failed",
      session_id: "fbf71f83-608a-4d45-a3c7-708eb35338a9",
    });
    expect(createClaudeParser().parseLine(retry)).toEqual([
      { kind: "error", status: 401, message: "401 authentication_failed (retry 1/10)" },
    ]);
  });

  it("reports a failed result with its API status and message", () => {
    const synthetic = JSON.stringify({
      type: "assistant",
      message: {
        model: "<synthetic>",
        role: "assistant",
        content: [{ type: "text", text: "API Error: 400 stand-in api_error" }],
      },
      session_id: "s",
      error: "unknown",
    });
    const failed = JSON.stringify({
      type: "result",
      subtype: "success",
      is_error: true,
      api_error_status: 400,
      result: "API Error: 400 stand-in api_error",
      total_cost_usd: 0,
      usage: { input_tokens: 0, output_tokens: 0 },
    });
    expect(parseAll(createClaudeParser(), [synthetic, failed])).toEqual([
      { kind: "error", status: 400, message: "API Error: 400 stand-in api_error" },
      { kind: "usage", tokens: { input: 0, output: 0 }, cost: 0 },
      { kind: "error", status: 400, message: "API Error: 400 stand-in api_error" },
    ]);
  });

  it("maps a usage-limit message to 429 and keeps its reset time in the message", () => {
    const limit = JSON.stringify({
      type: "assistant",
      message: {
        model: "<synthetic>",
        content: [{ type: "text", text: "You've hit your limit · resets 3pm (Europe/Berlin)" }],
      },
      error: "rate_limit",
    });
    expect(createClaudeParser().parseLine(limit)).toEqual([
      { kind: "error", status: 429, message: "You've hit your limit · resets 3pm (Europe/Berlin)" },
    ]);
  });

  it("reports results that ended for other reasons (max turns) as errors without a status", () => {
    const maxTurns = JSON.stringify({
      type: "result",
      subtype: "error_max_turns",
      is_error: true,
      num_turns: 30,
      usage: { input_tokens: 10, output_tokens: 5 },
    });
    expect(createClaudeParser().parseLine(maxTurns)).toEqual([
      { kind: "usage", tokens: { input: 10, output: 5 } },
      { kind: "error", message: "error_max_turns" },
    ]);
  });
});

describe("codex parser", () => {
  // Captured from Codex CLI 0.169.0 (`codex exec --json`).
  const lines = [
    '{"type":"thread.started","thread_id":"01a20725-c4eb-7322-81b4-4e82c1009bed"}',
    '{"type":"item.completed","item":{"id":"item_0","type":"error","message":"Model metadata for `gpt-5` not found. Defaulting to fallback metadata; this can degrade performance and cause issues."}}',
    '{"type":"turn.started"}',
    '{"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"/bin/bash -lc \\"printf \'written by the stand-in\\\\\\\\n\' > standin.txt\\"","aggregated_output":"","exit_code":null,"status":"in_progress"}}',
    '{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"/bin/bash -lc \\"printf \'written by the stand-in\\\\\\\\n\' > standin.txt\\"","aggregated_output":"","exit_code":0,"status":"completed"}}',
    `{"type":"item.completed","item":{"id":"item_2","type":"file_change","changes":[{"path":"${CWD}/src/a.ts","kind":"add"},{"path":"${CWD}/src/b.ts","kind":"update"},{"path":"${CWD}/old.ts","kind":"delete"}],"status":"completed"}}`,
    '{"type":"item.started","item":{"id":"item_3","type":"command_execution","command":"bash -lc \'npm test\'","status":"in_progress"}}',
    '{"type":"item.started","item":{"id":"item_4","type":"mcp_tool_call","server":"github","tool":"create_issue","status":"in_progress"}}',
    '{"type":"item.completed","item":{"id":"item_5","type":"agent_message","text":"Done: standin.txt is written."}}',
    '{"type":"turn.completed","usage":{"input_tokens":2400,"cached_input_tokens":1000,"cache_write_input_tokens":0,"output_tokens":160,"reasoning_output_tokens":40}}',
  ];

  it("reads the thread id, commands, file changes and usage; warnings are no errors", () => {
    expect(parseAll(createCodexParser({ cwd: CWD }), lines)).toEqual([
      { kind: "session", id: "01a20725-c4eb-7322-81b4-4e82c1009bed" },
      // Unwrapped from `/bin/bash -lc "..."`: the command exactly as the model wrote it.
      { kind: "activity", text: "Bash: printf 'written by the stand-in\\n' > standin.txt" },
      { kind: "activity", text: "Write src/a.ts" },
      { kind: "activity", text: "Edit src/b.ts" },
      { kind: "activity", text: "Delete old.ts" },
      { kind: "activity", text: "Bash: npm test" },
      { kind: "activity", text: "github.create_issue" },
      { kind: "usage", tokens: { input: 2400, output: 160 } },
    ]);
  });

  it("counts a resumed thread's tokens once: Codex reports the thread's running total", () => {
    const parser = createCodexParser();
    const run = (thread: string, input: number, output: number) =>
      parseAll(parser, [
        `{"type":"thread.started","thread_id":"${thread}"}`,
        `{"type":"turn.completed","usage":{"input_tokens":${input},"cached_input_tokens":0,"output_tokens":${output}}}`,
      ]).filter((signal) => signal.kind === "usage");
    expect(run("t1", 2400, 160)).toEqual([{ kind: "usage", tokens: { input: 2400, output: 160 } }]);
    expect(run("t1", 3600, 240)).toEqual([{ kind: "usage", tokens: { input: 1200, output: 80 } }]);
    expect(run("t2", 500, 10)).toEqual([{ kind: "usage", tokens: { input: 500, output: 10 } }]);
  });

  it("reads the HTTP status out of reconnect and failure messages", () => {
    const failure = [
      '{"type":"error","message":"Reconnecting... 1/5 (unexpected status 401 Unauthorized: Incorrect API key provided: any., url: http://127.0.0.1:41259/v1/responses)"}',
      '{"type":"error","message":"exceeded retry limit, last status: 429 Too Many Requests"}',
      '{"type":"turn.failed","error":{"message":"unexpected status 401 Unauthorized: Incorrect API key provided: any., url: http://127.0.0.1:41259/v1/responses"}}',
      '{"type":"error","message":"You\'ve hit your usage limit. Upgrade to Pro or try again in 2 hours 5 minutes."}',
    ];
    const signals = parseAll(createCodexParser(), failure);
    expect(signals.map((s) => (s.kind === "error" ? s.status : s.kind))).toEqual([
      401,
      429,
      401,
      undefined,
    ]);
    expect(signals[3]).toMatchObject({
      kind: "error",
      message: expect.stringContaining("usage limit"),
    });
  });
});

describe("gemini parser", () => {
  // Captured from Gemini CLI 0.61.0 (`--output-format stream-json`).
  const lines = [
    '{"type":"init","timestamp":"2026-11-23T06:45:07.429Z","session_id":"093a9927-88ee-4e25-a168-3185a4dde2fa","model":"gemini-2.5-pro"}',
    '{"type":"message","timestamp":"2026-11-23T06:45:07.430Z","role":"user","content":"Please write the file."}',
    '{"type":"tool_use","timestamp":"2026-11-23T06:45:07.518Z","tool_name":"run_shell_command","tool_id":"run_shell_command_1","parameters":{"command":"npm test"}}',
    '{"type":"tool_result","timestamp":"2026-11-23T06:45:07.662Z","tool_id":"run_shell_command_1","status":"success","output":""}',
    `{"type":"tool_use","tool_name":"write_file","tool_id":"w1","parameters":{"file_path":"${CWD}/src/a.ts","content":"x"}}`,
    `{"type":"tool_use","tool_name":"replace","tool_id":"r1","parameters":{"file_path":"${CWD}/src/b.ts","old_string":"a","new_string":"b"}}`,
    '{"type":"error","timestamp":"2026-11-23T06:45:07.690Z","severity":"warning","message":"Loop detected"}',
    '{"type":"message","timestamp":"2026-11-23T06:45:07.692Z","role":"assistant","content":"Done.","delta":true}',
    '{"type":"result","timestamp":"2026-11-23T06:45:07.694Z","status":"success","stats":{"total_tokens":2560,"input_tokens":2400,"output_tokens":160,"cached":0,"input":2400,"duration_ms":265,"tool_calls":1}}',
  ];

  it("reads the session, tool calls and token stats; warnings are no errors", () => {
    expect(parseAll(createGeminiParser({ cwd: CWD }), lines)).toEqual([
      { kind: "session", id: "093a9927-88ee-4e25-a168-3185a4dde2fa" },
      { kind: "activity", text: "Bash: npm test" },
      { kind: "activity", text: "Write src/a.ts" },
      { kind: "activity", text: "Edit src/b.ts" },
      { kind: "usage", tokens: { input: 2400, output: 160 } },
    ]);
  });

  it("reads the status of a failed result and of quota errors", () => {
    const failed =
      '{"type":"result","timestamp":"2026-11-23T06:45:16.173Z","status":"error","error":{"type":"unknown","message":"[API Error: {\\"error\\":{\\"code\\":401,\\"message\\":\\"API key not valid. Please pass a valid API key.\\",\\"status\\":\\"UNAUTHENTICATED\\",\\"details\\":[]}}]"},"stats":{"total_tokens":0,"input_tokens":0,"output_tokens":0}}';
    const quota =
      '{"type":"error","timestamp":"2026-11-23T06:45:16.173Z","severity":"error","message":"You have exhausted your daily quota (RESOURCE_EXHAUSTED). Please retry in 41.2s."}';
    const signals = parseAll(createGeminiParser(), [failed, quota]);
    expect(signals[0]).toEqual({ kind: "usage", tokens: { input: 0, output: 0 } });
    expect(signals[1]).toMatchObject({ kind: "error", status: 401 });
    expect(signals[1]?.kind === "error" && signals[1].message).toContain("API key not valid");
    expect(signals[2]).toMatchObject({ kind: "error", status: 429 });
  });
});

describe("aider parser", () => {
  const lines = [
    "Aider v0.86.1",
    "Main model: anthropic/claude-sonnet-4-5 with diff edit format, infinite output",
    "Git repo: .git with 12 files",
    "Repo-map: using 4096 tokens, auto refresh",
    "Added src/a.ts to the chat.",
    "I'll add the login endpoint.",
    "src/a.ts",
    "Applied edit to src/a.ts",
    `Applied edit to ${CWD}/src/b.ts`,
    "Tokens: 2.4k sent, 1.1k cache write, 3,300 cache hit, 263 received. Cost: $0.0071 message, $0.0071 session.",
    "Running npm test",
    "Tokens: 12k sent, 1.2k received. Cost: $0.05 message, $0.12 session.",
    "Commit 1a2b3c4 feat: add login endpoint",
  ];

  it("reads edits, commands, and each model call's tokens and cost", () => {
    expect(parseAll(createAiderParser({ cwd: CWD }), lines)).toEqual([
      { kind: "activity", text: "Read src/a.ts" },
      { kind: "activity", text: "Edit src/a.ts" },
      { kind: "activity", text: "Edit src/b.ts" },
      { kind: "usage", tokens: { input: 6800, output: 263 }, cost: 0.0071 },
      { kind: "activity", text: "Bash: npm test" },
      { kind: "usage", tokens: { input: 12000, output: 1200 }, cost: 0.05 },
      { kind: "activity", text: "Commit 1a2b3c4" },
    ]);
  });

  it("reads older usage lines without cost", () => {
    expect(createAiderParser().parseLine("Tokens: 1,234 sent, 56 received.")).toEqual([
      { kind: "usage", tokens: { input: 1234, output: 56 } },
    ]);
  });

  it("turns litellm's exceptions into statuses", () => {
    const signals = parseAll(createAiderParser(), [
      "litellm.AuthenticationError: AnthropicException - invalid x-api-key",
      "litellm.RateLimitError: AnthropicException - rate_limit_error",
      "litellm.InternalServerError: AnthropicException - Overloaded. Handle with `litellm.InternalServerError`.",
      "The API provider is not able to authenticate you. Check your API key.",
      "Some prose mentioning a rate limit in passing.",
    ]);
    expect(signals.map((s) => (s.kind === "error" ? s.status : s.kind))).toEqual([
      401, 429, 500, 401,
    ]);
  });
});

describe("opencode parser", () => {
  const session = "ses_3b11bfdcdffeITCXse4fCuIRnU";
  const event = (type: string, part: unknown) =>
    JSON.stringify({ type, timestamp: 1770850185921, sessionID: session, part });
  const lines = [
    event("step_start", { type: "step-start", snapshot: "46358aa" }),
    event("tool_use", {
      type: "tool",
      tool: "bash",
      callID: "c1",
      state: { status: "completed", input: { command: "npm test", description: "tests" } },
    }),
    event("tool_use", {
      type: "tool",
      tool: "write",
      state: { status: "completed", input: { filePath: `${CWD}/src/a.ts`, content: "x" } },
    }),
    event("step_finish", {
      type: "step-finish",
      reason: "tool-calls",
      cost: 0.01,
      tokens: { input: 1000, output: 50, reasoning: 10, cache: { read: 500, write: 200 } },
    }),
    event("text", { type: "text", text: "Done." }),
    event("step_finish", {
      type: "step-finish",
      reason: "stop",
      cost: 0.02,
      tokens: { input: 100, output: 20, reasoning: 0, cache: { read: 1700, write: 0 } },
    }),
  ];

  it("reports the session once, tool calls, and each step's usage", () => {
    const signals = parseAll(createOpencodeParser({ cwd: CWD }), lines);
    expect(signals).toEqual([
      { kind: "session", id: session },
      { kind: "activity", text: "Bash: npm test" },
      { kind: "activity", text: "Write src/a.ts" },
      { kind: "usage", tokens: { input: 1700, output: 60 }, cost: 0.01 },
      { kind: "usage", tokens: { input: 1800, output: 20 }, cost: 0.02 },
    ]);
  });

  it("reads API and auth errors", () => {
    const parser = createOpencodeParser();
    const api = JSON.stringify({
      type: "error",
      sessionID: session,
      error: {
        name: "APIError",
        data: { message: "Overloaded", statusCode: 529, isRetryable: true },
      },
    });
    const auth = JSON.stringify({
      type: "error",
      sessionID: session,
      error: {
        name: "ProviderAuthError",
        data: { providerID: "anthropic", message: "No API key" },
      },
    });
    expect(parseAll(parser, [api, auth])).toEqual([
      { kind: "session", id: session },
      { kind: "error", status: 529, message: "Overloaded" },
      { kind: "error", status: 401, message: "No API key" },
    ]);
  });
});
