import { describe, expect, it } from "vitest";
import {
  type AttemptOutcome,
  classifyFailure,
  parseResetTime,
  stopsAgent,
} from "../../src/agents/classify.js";
import type { AgentSignal } from "../../src/agents/parsers/types.js";

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0); // 2026-11-23 12:00:00 UTC

function outcome(partial: Partial<AttemptOutcome>): AttemptOutcome {
  return {
    exitCode: 1,
    signal: null,
    timedOut: false,
    tail: [],
    signals: [],
    now: NOW,
    ...partial,
  };
}

const error = (status: number | undefined, message: string): AgentSignal =>
  status === undefined ? { kind: "error", message } : { kind: "error", status, message };

describe("classifyFailure", () => {
  it("calls a 401 or 403 `auth`, not retryable, even after lanes killed the agent for it", () => {
    const result = classifyFailure(
      outcome({
        exitCode: null,
        signal: "SIGTERM",
        signals: [
          { kind: "session", id: "s" },
          error(401, "401 authentication_failed (retry 1/10)"),
        ],
      }),
    );
    expect(result).toEqual({
      reason: "auth",
      detail: "401 authentication_failed (retry 1/10)",
      retryable: false,
    });
    expect(classifyFailure(outcome({ signals: [error(403, "forbidden")] }))).toMatchObject({
      reason: "auth",
      detail: "403: forbidden",
    });
  });

  it("recognises auth failures that come as plain text", () => {
    for (const line of [
      "Invalid API key · Please run /login",
      "Error: Not logged in",
      "Invalid auth method selected.",
      "litellm.AuthenticationError: AnthropicException - invalid x-api-key",
    ]) {
      expect(classifyFailure(outcome({ tail: ["starting", line] })).reason).toBe("auth");
    }
  });

  it("calls 429s and usage limits `rate_limit`, retryable, with the announced reset time", () => {
    const retryAfter = classifyFailure(
      outcome({
        signals: [error(429, "exceeded retry limit, last status: 429 Too Many Requests")],
        tail: ["Please retry in 30s."],
      }),
    );
    expect(retryAfter).toEqual({
      reason: "rate_limit",
      detail: "exceeded retry limit, last status: 429 Too Many Requests",
      retryable: true,
      retryAfterMs: 30_000,
    });

    const claudeLegacy = classifyFailure(
      outcome({
        signals: [error(429, `Claude AI usage limit reached|${Math.floor(NOW / 1000) + 3600}`)],
      }),
    );
    expect(claudeLegacy.reason).toBe("rate_limit");
    expect(claudeLegacy.retryAfterMs).toBe(3_600_000);

    const noTime = classifyFailure(outcome({ signals: [error(429, "rate_limit (retry 10/10)")] }));
    expect(noTime).toEqual({
      reason: "rate_limit",
      detail: "429: rate_limit (retry 10/10)",
      retryable: true,
    });
  });

  it("finds usage limits in plain text without a status", () => {
    const result = classifyFailure(
      outcome({
        tail: ["You've hit your usage limit. Upgrade to Pro or try again in 1 hour 30 minutes."],
      }),
    );
    expect(result.reason).toBe("rate_limit");
    expect(result.retryAfterMs).toBe(90 * 60_000);
    const gemini = classifyFailure(
      outcome({ tail: ["Attempt 3 failed: stand-in RESOURCE_EXHAUSTED", "error: giving up"] }),
    );
    expect(gemini.reason).toBe("rate_limit");
  });

  it("calls 529 and 503 `overloaded`, retryable", () => {
    expect(classifyFailure(outcome({ signals: [error(529, "Overloaded")] }))).toEqual({
      reason: "overloaded",
      detail: "529: Overloaded",
      retryable: true,
    });
    expect(classifyFailure(outcome({ signals: [error(503, "unavailable")] })).reason).toBe(
      "overloaded",
    );
    expect(
      classifyFailure(outcome({ tail: ['{"x":1}', "API Error: overloaded_error"] })).reason,
    ).toBe("overloaded");
  });

  it("goes by the latest status: a CLI that got past a 429 and then hit a 529 is overloaded", () => {
    const result = classifyFailure(
      outcome({ signals: [error(429, "rate_limit"), error(529, "overloaded")] }),
    );
    expect(result.reason).toBe("overloaded");
    const recovered = classifyFailure(
      outcome({ signals: [error(429, "rate_limit"), error(400, "API Error: 400 bad request")] }),
    );
    expect(recovered).toMatchObject({ reason: "exit", detail: "API Error: 400 bad request" });
  });

  it("calls a timeout `timeout` and a signal `crash`, both retryable", () => {
    expect(classifyFailure(outcome({ timedOut: true, signal: "SIGTERM", exitCode: null }))).toEqual(
      { reason: "timeout", detail: "the agent ran past its timeout", retryable: true },
    );
    expect(classifyFailure(outcome({ signal: "SIGKILL", exitCode: null }))).toEqual({
      reason: "crash",
      detail: "the agent was killed by SIGKILL",
      retryable: true,
    });
    expect(classifyFailure(outcome({ exitCode: 143 }))).toEqual({
      reason: "crash",
      detail: "the agent was ended by SIGTERM (exit code 143)",
      retryable: true,
    });
  });

  it("otherwise says `exit` with the agent's last error-looking line", () => {
    const result = classifyFailure(
      outcome({
        exitCode: 2,
        tail: [
          "compiling",
          "Error: Cannot find module 'left-pad'",
          '{"type":"result","is_error":false,"result":"error everywhere"}',
          "    at require (node:internal)",
          "done",
        ],
      }),
    );
    expect(result).toEqual({
      reason: "exit",
      detail: "Error: Cannot find module 'left-pad'",
      retryable: true,
    });
    expect(classifyFailure(outcome({ exitCode: 3, tail: ["just output"] })).detail).toBe(
      "just output",
    );
    expect(classifyFailure(outcome({ exitCode: 3 })).detail).toBe("the agent exited with code 3");
    expect(
      classifyFailure(outcome({ signals: [error(undefined, "error_max_turns")], tail: ["x"] })),
    ).toMatchObject({ reason: "exit", detail: "error_max_turns" });
  });

  it("reads reasons from the last lines only: earlier output may be the project's own tests", () => {
    const tail = [
      "✓ returns 401 Unauthorized for unauthenticated users",
      "✓ answers 429 Too Many Requests when rate limited",
      ...Array.from({ length: 10 }, (_, i) => `line ${i}`),
      "Error: the agent gave up",
    ];
    expect(classifyFailure(outcome({ tail }))).toMatchObject({
      reason: "exit",
      detail: "Error: the agent gave up",
    });
  });

  it("does not mistake numbers in tool output for HTTP statuses", () => {
    const result = classifyFailure(
      outcome({
        tail: ["429 tests passed", "503 snapshots written", "fatal: not a git repository"],
      }),
    );
    expect(result).toMatchObject({ reason: "exit", detail: "fatal: not a git repository" });
  });
});

describe("stopsAgent", () => {
  it("is true for 401 and 403 only: the CLIs retry those for minutes to no end", () => {
    expect(stopsAgent(error(401, "x"))).toBe(true);
    expect(stopsAgent(error(403, "x"))).toBe(true);
    expect(stopsAgent(error(429, "x"))).toBe(false);
    expect(stopsAgent(error(undefined, "x"))).toBe(false);
    expect(stopsAgent({ kind: "activity", text: "Bash: x" })).toBe(false);
  });
});

describe("parseResetTime", () => {
  it("reads durations", () => {
    expect(parseResetTime("Please retry in 23.5s.", NOW)).toBe(23_500);
    expect(parseResetTime("retry in 850ms", NOW)).toBe(850);
    expect(parseResetTime('"retryDelay": "41s"', NOW)).toBe(41_000);
    expect(parseResetTime("retry-after: 12", NOW)).toBe(12_000);
    expect(parseResetTime("try again in 2 days 3 hours 5 minutes", NOW)).toBe(
      2 * 86_400_000 + 3 * 3_600_000 + 5 * 60_000,
    );
    expect(parseResetTime("resets in 1h 30m", NOW)).toBe(90 * 60_000);
  });

  it("reads epoch seconds and clock times, in the named zone when there is one", () => {
    expect(parseResetTime(`usage limit reached|${NOW / 1000 + 600}`, NOW)).toBe(600_000);
    // 12:00 UTC is 13:00 in Berlin (CET): 3pm there is 2 hours away.
    expect(parseResetTime("You've hit your limit · resets 3pm (Europe/Berlin)", NOW)).toBe(
      2 * 3_600_000,
    );
    // 12:00 UTC is 07:00 in New York (EST): 4:12 AM there was 2h48m ago, so tomorrow's.
    expect(parseResetTime("resets at 4:12am (America/New_York)", NOW)).toBe(
      86_400_000 - (2 * 60 + 48) * 60_000,
    );
    const local = parseResetTime("try again at 4:12 PM.", NOW);
    expect(local).toBeGreaterThan(0);
    expect(local).toBeLessThanOrEqual(86_400_000);
  });

  it("gives nothing for text without a time, or a time that has passed", () => {
    expect(parseResetTime("rate limited", NOW)).toBeUndefined();
    expect(parseResetTime(`usage limit reached|${NOW / 1000 - 60}`, NOW)).toBeUndefined();
    expect(parseResetTime("retry in soon", NOW)).toBeUndefined();
  });
});
