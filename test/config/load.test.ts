// Settings layers, lowest first: defaults < user file < project file < LANES_* env < flags.
// Each bad layer is an error naming the file, key or variable at fault.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadSettings, settingsFromEnv, userSettingsPath } from "../../src/config/load.js";
import { DEFAULT_SETTINGS } from "../../src/config/schema.js";
import { LanesError } from "../../src/errors.js";
import { writeFiles } from "../helpers/git-repo.js";

let dir: string;
let repoRoot: string;
let userFile: string;
let projectFile: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "lanes-config-"));
  repoRoot = path.join(dir, "repo");
  userFile = path.join(dir, "home", "lanes-user.json");
  projectFile = path.join(repoRoot, ".lanes", "settings.json");
  await writeFiles(repoRoot, { "README.md": "# repo\n" });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes the user and project settings files (objects as JSON, strings as they are). */
async function layers(files: { user?: unknown; project?: unknown }): Promise<void> {
  const text = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
  if (files.user !== undefined)
    await writeFiles(dir, { [path.relative(dir, userFile)]: text(files.user) });
  if (files.project !== undefined) {
    await writeFiles(repoRoot, { ".lanes/settings.json": text(files.project) });
  }
}

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { LANES_USER_SETTINGS: userFile, ...extra };
}

async function settingsError(promise: Promise<unknown>): Promise<LanesError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LanesError);
  expect(error).toMatchObject({ code: "E_SETTINGS", exitCode: 2 });
  return error as LanesError;
}

describe("settings layers", () => {
  it("gives the defaults (concurrency 3, agent claude) when nothing is set", async () => {
    const { settings, sources } = await loadSettings({ repoRoot, env: env() });
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(settings.concurrency).toBe(3);
    expect(settings.agent).toBe("claude");
    expect(sources).toEqual({});
  });

  it("user settings override the defaults", async () => {
    await layers({ user: { concurrency: 5, agent: "codex" } });
    const { settings, sources } = await loadSettings({ repoRoot, env: env() });
    expect(settings).toMatchObject({ concurrency: 5, agent: "codex", timeoutMs: 1_800_000 });
    expect(sources).toEqual({ concurrency: userFile, agent: userFile });
  });

  it("project settings override user settings, key by key", async () => {
    await layers({
      user: { concurrency: 5, agent: "codex", retries: 2 },
      project: {
        $schema: "./schema.json",
        concurrency: 4,
        agent: { command: ["my-agent", "--go"] },
      },
    });
    const { settings, sources } = await loadSettings({ repoRoot, env: env() });
    expect(settings).toMatchObject({
      concurrency: 4,
      agent: { command: ["my-agent", "--go"] },
      retries: 2,
    });
    expect(settings).not.toHaveProperty("$schema");
    expect(sources).toMatchObject({
      concurrency: projectFile,
      agent: projectFile,
      retries: userFile,
    });
  });

  it("LANES_* environment variables override the project settings", async () => {
    await layers({ user: { concurrency: 5 }, project: { concurrency: 4, agent: "aider" } });
    const { settings, sources } = await loadSettings({
      repoRoot,
      env: env({ LANES_CONCURRENCY: "7", LANES_AGENT: "gemini" }),
    });
    expect(settings).toMatchObject({ concurrency: 7, agent: "gemini" });
    expect(sources).toMatchObject({ concurrency: "environment", agent: "environment" });
  });

  it("LANES_AGENT may hold a custom command as JSON", async () => {
    const { settings } = await loadSettings({
      repoRoot,
      env: env({ LANES_AGENT: '{"command":["bin/agent","--fast"]}' }),
    });
    expect(settings.agent).toEqual({ command: ["bin/agent", "--fast"] });
  });

  it("an empty LANES_* variable counts as unset", async () => {
    await layers({ project: { concurrency: 4 } });
    const { settings } = await loadSettings({ repoRoot, env: env({ LANES_CONCURRENCY: "" }) });
    expect(settings.concurrency).toBe(4);
  });

  it("flags override everything", async () => {
    await layers({
      user: { concurrency: 5, agent: "codex" },
      project: { concurrency: 4, agent: "aider" },
    });
    const { settings, sources } = await loadSettings({
      repoRoot,
      env: env({ LANES_CONCURRENCY: "7", LANES_AGENT: "gemini" }),
      flags: { concurrency: 9, agent: "opencode" },
    });
    expect(settings).toMatchObject({ concurrency: 9, agent: "opencode" });
    expect(sources).toMatchObject({ concurrency: "command line", agent: "command line" });
  });

  it("a layer that does not set a key leaves the lower layer's value", async () => {
    await layers({ user: { agent: "codex" }, project: { concurrency: 4 } });
    const { settings } = await loadSettings({
      repoRoot,
      env: env({ LANES_TIMEOUT: "1h" }),
      flags: { retries: 1 },
    });
    expect(settings).toMatchObject({
      agent: "codex",
      concurrency: 4,
      timeoutMs: 3_600_000,
      retries: 1,
    });
  });
});

describe("durations become milliseconds once, on loading", () => {
  it("gives the default timeout, grace period and heartbeat in milliseconds", async () => {
    const { settings } = await loadSettings({ repoRoot, env: env() });
    expect(settings).toMatchObject({
      timeoutMs: 30 * 60_000,
      gracePeriodMs: 5_000,
      heartbeatMs: 60_000,
    });
    expect(settings).not.toHaveProperty("timeout");
    expect(settings).not.toHaveProperty("heartbeat");
  });

  it("reads each layer's durations, and says which layer each key came from", async () => {
    await layers({ user: { timeout: "1h30m" }, project: { gracePeriod: "500ms" } });
    const { settings, sources } = await loadSettings({
      repoRoot,
      env: env({ LANES_HEARTBEAT: "2m" }),
      flags: { timeout: "90s" },
    });
    expect(settings).toMatchObject({
      timeoutMs: 90_000,
      gracePeriodMs: 500,
      heartbeatMs: 120_000,
    });
    expect(sources).toEqual({
      timeout: "command line",
      gracePeriod: projectFile,
      heartbeat: "environment",
    });
  });

  it("a bad LANES_HEARTBEAT names the variable and says what a duration is", async () => {
    const error = await settingsError(
      loadSettings({ repoRoot, env: env({ LANES_HEARTBEAT: "often" }) }),
    );
    expect(error.message).toBe(
      "environment variable LANES_HEARTBEAT=often: must be a duration such as 90s, 30m or 1h",
    );
  });

  it("bad settings passed by an API caller name the key", async () => {
    const error = await settingsError(
      loadSettings({ repoRoot, env: env(), flags: { timeout: "soon" } }),
    );
    expect(error.message).toMatch(/^the "settings" option: timeout: expected a duration/);
  });
});

describe("where the user settings live", () => {
  it("is $LANES_USER_SETTINGS first", () => {
    expect(userSettingsPath({ LANES_USER_SETTINGS: "/x/s.json", XDG_CONFIG_HOME: "/cfg" })).toBe(
      "/x/s.json",
    );
  });

  it("is $XDG_CONFIG_HOME/lanes/settings.json next, else ~/.config/lanes/settings.json", () => {
    expect(userSettingsPath({ XDG_CONFIG_HOME: "/cfg" })).toBe("/cfg/lanes/settings.json");
    expect(userSettingsPath({})).toBe(path.join(os.homedir(), ".config", "lanes", "settings.json"));
  });

  it("is read from $XDG_CONFIG_HOME by loadSettings", async () => {
    const configHome = path.join(dir, "xdg");
    await writeFiles(configHome, { "lanes/settings.json": JSON.stringify({ concurrency: 6 }) });
    const { settings } = await loadSettings({ repoRoot, env: { XDG_CONFIG_HOME: configHome } });
    expect(settings.concurrency).toBe(6);
  });
});

describe("bad settings name the culprit", () => {
  it("an unknown key in the project file names the key and the file", async () => {
    await layers({ project: { concurency: 2 } });
    const error = await settingsError(loadSettings({ repoRoot, env: env() }));
    expect(error.message).toBe(`${projectFile}: unknown key "concurency"`);
    expect(error.hint).toContain("settings.schema.json");
  });

  it("an unknown key in the user file names the key and the file", async () => {
    await layers({ user: { concurrency: 2, colour: "red" } });
    const error = await settingsError(loadSettings({ repoRoot, env: env() }));
    expect(error.message).toBe(`${userFile}: unknown key "colour"`);
  });

  it("an unknown key inside the agent object names its path", async () => {
    await layers({ project: { agent: { command: ["x"], shell: true } } });
    const error = await settingsError(loadSettings({ repoRoot, env: env() }));
    expect(error.message).toBe(`${projectFile}: unknown key "shell" in agent`);
  });

  it("a value of the wrong kind names the key", async () => {
    await layers({ project: { concurrency: "4" } });
    const error = await settingsError(loadSettings({ repoRoot, env: env() }));
    expect(error.message).toMatch(new RegExp(`^${escapeRegExp(projectFile)}: concurrency: `));
  });

  it("concurrency 0 in a file names the key", async () => {
    await layers({ project: { concurrency: 0 } });
    const error = await settingsError(loadSettings({ repoRoot, env: env() }));
    expect(error.message).toMatch(new RegExp(`^${escapeRegExp(projectFile)}: concurrency: .*>0`));
  });

  it("bad JSON names the file", async () => {
    await layers({ project: '{ "concurrency": 2, }' });
    const error = await settingsError(loadSettings({ repoRoot, env: env() }));
    expect(error.message).toMatch(new RegExp(`^${escapeRegExp(projectFile)}: not valid JSON: `));
    expect(error.hint).toContain("JSON");
  });

  it("bad JSON in the user file names that file", async () => {
    await layers({ user: "concurrency = 2" });
    const error = await settingsError(loadSettings({ repoRoot, env: env() }));
    expect(error.message).toMatch(new RegExp(`^${escapeRegExp(userFile)}: not valid JSON`));
  });

  it("a settings file that is not an object is an error", async () => {
    await layers({ project: "[1, 2]" });
    const error = await settingsError(loadSettings({ repoRoot, env: env() }));
    expect(error.message).toContain(projectFile);
  });

  it.each(["abc", "0", "-2", "1.5"])(
    "LANES_CONCURRENCY=%s names the variable and its value",
    async (value) => {
      const error = await settingsError(
        loadSettings({ repoRoot, env: env({ LANES_CONCURRENCY: value }) }),
      );
      expect(error.message).toMatch(
        new RegExp(`^environment variable LANES_CONCURRENCY=${escapeRegExp(value)}: `),
      );
      expect(error.hint).toBe("unset LANES_CONCURRENCY or give it a valid value");
    },
  );

  it("an unknown LANES_AGENT preset names the variable", () => {
    expect(() => settingsFromEnv({ LANES_AGENT: "gpt" })).toThrow(
      /^environment variable LANES_AGENT=gpt: /,
    );
  });

  it("a bad value in the environment is reported even when a flag would override it", async () => {
    await expect(
      loadSettings({
        repoRoot,
        env: env({ LANES_CONCURRENCY: "many" }),
        flags: { concurrency: 2 },
      }),
    ).rejects.toThrow(/LANES_CONCURRENCY=many/);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
