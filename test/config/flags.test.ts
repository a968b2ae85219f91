// The command line's settings layer: each bad value is rejected naming the flag and the value.
import { describe, expect, it } from "vitest";
import { settingsFromFlags } from "../../src/cli/flags.js";
import { durationText, formatDuration, parseDuration } from "../../src/config/duration.js";
import { LanesError } from "../../src/errors.js";

async function flagError(flags: Parameters<typeof settingsFromFlags>[0]): Promise<LanesError> {
  try {
    await settingsFromFlags(flags);
  } catch (error) {
    expect(error).toBeInstanceOf(LanesError);
    expect(error).toMatchObject({ code: "E_USAGE", exitCode: 2 });
    return error as LanesError;
  }
  throw new Error(`settingsFromFlags accepted ${JSON.stringify(flags)}`);
}

describe("settingsFromFlags", () => {
  it("is an empty layer when no flag is given", async () => {
    expect(await settingsFromFlags({})).toEqual({});
  });

  it("reads every flag into its settings key", async () => {
    expect(
      await settingsFromFlags({
        concurrency: "4",
        timeout: "45m",
        retries: "0",
        agent: "codex",
        maxTokens: "100000",
        maxCost: "2.50",
      }),
    ).toEqual({
      concurrency: 4,
      timeout: "45m",
      retries: 0,
      agent: "codex",
      maxTokens: 100_000,
      maxCost: 2.5,
    });
  });

  it.each(["0", "-1", "abc", "1.5", "", "1e3", "two"])(
    "rejects --concurrency %j with the documented message",
    async (value) => {
      const error = await flagError({ concurrency: value });
      expect(error.message).toBe(
        `Invalid --concurrency value: ${value}. Must be a positive integer.`,
      );
      expect(error.hint).toBe("for example --concurrency 3");
    },
  );

  it("gives exactly the message of the issue for --concurrency 0", async () => {
    expect((await flagError({ concurrency: "0" })).message).toBe(
      "Invalid --concurrency value: 0. Must be a positive integer.",
    );
  });

  it("accepts a positive --concurrency with surrounding spaces", async () => {
    expect(await settingsFromFlags({ concurrency: " 2 " })).toEqual({ concurrency: 2 });
  });

  it("rejects a bad --timeout, --retries, --agent, --max-tokens and --max-cost", async () => {
    expect((await flagError({ timeout: "soon" })).message).toBe(
      "Invalid --timeout value: soon. Must be a duration such as 90s, 30m or 1h.",
    );
    expect((await flagError({ retries: "-1" })).message).toBe(
      "Invalid --retries value: -1. Must be a whole number (0 for no retries).",
    );
    const agent = await flagError({ agent: "gpt" });
    expect(agent.message).toBe(
      "Invalid --agent value: gpt. Must be one of claude, codex, gemini, aider, opencode.",
    );
    expect(agent.hint).toContain('"command"');
    expect((await flagError({ maxTokens: "lots" })).message).toBe(
      "Invalid --max-tokens value: lots. Must be a positive integer.",
    );
    expect((await flagError({ maxCost: "0" })).message).toMatch(/^Invalid --max-cost value: 0\. /);
  });
});

describe("durations", () => {
  it.each([
    ["500ms", 500],
    ["90s", 90_000],
    ["20m", 1_200_000],
    ["1h", 3_600_000],
    ["1h30m", 5_400_000],
    ["2d", 172_800_000],
    [" 1.5h ", 5_400_000],
  ])("parses %j", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "20", "m", "20 minutes", "-5m", "1h 30m", "soon"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [850, "850ms"],
    [45_000, "45s"],
    [246_000, "4m 6s"],
    [1_200_000, "20m"],
    [3_720_000, "1h 2m"],
  ])("formats %d ms as %j", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    [0, "0ms"],
    [850, "850ms"],
    [90_000, "1m30s"],
    [1_800_000, "30m"],
    [5_400_000, "1h30m"],
    [172_800_000, "2d"],
    [3_600_500, "1h500ms"],
  ])("writes %d ms back as %j, which parses to the same", (ms, text) => {
    expect(durationText(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});
