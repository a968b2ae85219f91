// The settings table is the one place a setting is declared: these check that each entry is
// usable everywhere the table is read (env, flags, defaults, resolved names), as a table test.
import { describe, expect, it } from "vitest";
import { settingOptions, settingsFromFlags } from "../../src/cli/flags.js";
import { settingsFromEnv } from "../../src/config/load.js";
import { DEFAULT_SETTINGS } from "../../src/config/schema.js";
import {
  entryOf,
  flagName,
  resolvedKey,
  SETTING_KEYS,
  type SettingsCommand,
} from "../../src/config/table.js";

const snake = (key: string) => key.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();

describe.each(SETTING_KEYS)("the %s entry", (key) => {
  const entry = entryOf(key);

  it("is read from LANES_<KEY> in screaming snake case", () => {
    expect(entry.env).toBe(`LANES_${snake(key)}`);
  });

  it("appears in the resolved settings under its resolved name", () => {
    expect(DEFAULT_SETTINGS).toHaveProperty(resolvedKey(key));
    expect(DEFAULT_SETTINGS[resolvedKey(key) as keyof typeof DEFAULT_SETTINGS]).toEqual(
      entry.default === undefined ? undefined : expect.anything(),
    );
  });
});

const withDefault = SETTING_KEYS.filter((key) => entryOf(key).default !== undefined);
const withFlag = SETTING_KEYS.filter((key) => entryOf(key).flag !== null);

it.each(withDefault)("the default of %s is accepted as text by its env variable", (key) => {
  const entry = entryOf(key);
  const text = typeof entry.default === "string" ? entry.default : JSON.stringify(entry.default);
  expect(Object.keys(settingsFromEnv({ [entry.env]: text }))).toEqual([key]);
});

it.each(withFlag)(
  "the example value of the %s flag, shown in its hint, is accepted",
  async (key) => {
    const example = entryOf(key).flag!.example;
    expect(Object.keys(await settingsFromFlags({ [key]: example }))).toEqual([key]);
  },
);

describe("resolved settings", () => {
  it("hold durations in milliseconds under …Ms names, and nothing else renamed", () => {
    expect(Object.keys(DEFAULT_SETTINGS).sort()).toEqual(
      [
        "agent",
        "concurrency",
        "github",
        "conflicts",
        "gracePeriodMs",
        "heartbeatMs",
        "lane",
        "maxCost",
        "maxTokens",
        "models",
        "notify",
        "overlap",
        "phases",
        "pr",
        "qaLoops",
        "pool",
        "queue",
        "retries",
        "timeoutMs",
        "verify",
        "verifyLoops",
        "worktreeDir",
      ].sort(),
    );
    expect(DEFAULT_SETTINGS).toMatchObject({
      phases: ["exec"],
      qaLoops: 2,
      verifyLoops: 2,
      conflicts: "agent",
      timeoutMs: 1_800_000,
      gracePeriodMs: 5_000,
      heartbeatMs: 60_000,
    });
  });

  it("fill in every field of the lane setting, its setup timeout in milliseconds", () => {
    expect(DEFAULT_SETTINGS.lane).toEqual({
      copy: [],
      link: [],
      setup: undefined,
      setupTimeoutMs: 600_000,
      teardown: undefined,
      ports: 10,
      portBase: 4100,
      setPort: true,
    });
    expect(DEFAULT_SETTINGS.overlap).toBe("avoid");
    const layer = settingsFromEnv({
      LANES_LANE: '{ "link": ["node_modules"], "setupTimeout": "90s", "setPort": false }',
    });
    expect(layer.lane).toMatchObject({
      link: ["node_modules"],
      setupTimeoutMs: 90_000,
      ports: 10,
      setPort: false,
    });
    expect(() => settingsFromEnv({ LANES_LANE: '{ "copy": ".env" }' })).toThrow(/LANES_LANE/);
    expect(() => settingsFromEnv({ LANES_OVERLAP: "sometimes" })).toThrow(/"avoid" or "allow"/);
  });
});

describe.each<SettingsCommand>(["run", "resume", "plan", "demo"])(
  "the options of lanes %s",
  (command) => {
    const options = settingOptions(command);

    it("are the table's flags for it, in the table's order, with its help", () => {
      const keys = SETTING_KEYS.filter((key) => entryOf(key).flag?.commands.includes(command));
      expect(options.map((option) => option.long)).toEqual(keys.map(flagName));
      for (const [index, key] of keys.entries()) {
        const entry = entryOf(key);
        expect(options[index]!.description.startsWith(entry.flag!.help ?? entry.help)).toBe(true);
      }
    });

    it("set no default of their own, so that settings files are not overridden", () => {
      for (const option of options) expect(option.defaultValue).toBeUndefined();
    });
  },
);

it("--agent offers exactly the presets (commander's .choices())", () => {
  const agent = settingOptions("run").find((option) => option.long === "--agent");
  expect(agent?.argChoices).toEqual(["claude", "codex", "gemini", "aider", "opencode"]);
});
