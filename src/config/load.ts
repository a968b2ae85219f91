import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { LanesError } from "../errors.js";
import {
  AgentSettingSchema,
  DEFAULT_SETTINGS,
  type Settings,
  type SettingsFile,
  SettingsFileSchema,
} from "./schema.js";
import { describeIssues } from "./zod-issues.js";

export const PROJECT_SETTINGS = path.join(".lanes", "settings.json");

/** `$LANES_USER_SETTINGS`, else `$XDG_CONFIG_HOME/lanes/settings.json`, else `~/.config/...`. */
export function userSettingsPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LANES_USER_SETTINGS) return env.LANES_USER_SETTINGS;
  const configHome = env.XDG_CONFIG_HOME || path.join(homedir(), ".config");
  return path.join(configHome, "lanes", "settings.json");
}

/** Reads and validates one settings file; a missing file is an empty layer. */
export async function readSettingsFile(file: string): Promise<SettingsFile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new LanesError(
      "E_SETTINGS",
      `${file}: cannot read settings: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LanesError("E_SETTINGS", `${file}: not valid JSON: ${(error as Error).message}`, {
      hint: "fix the JSON syntax (lanes init writes a valid example)",
    });
  }
  const parsed = SettingsFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new LanesError("E_SETTINGS", `${file}: ${describeIssues(parsed.error)}`, {
      hint: "see settings.schema.json in the lanes package for every key and its type",
    });
  }
  return parsed.data;
}

/** The `LANES_*` environment layer. Each variable maps to one key; bad values name the variable. */
const ENV_KEYS: Record<string, keyof SettingsFile> = {
  LANES_CONCURRENCY: "concurrency",
  LANES_AGENT: "agent",
  LANES_TIMEOUT: "timeout",
  LANES_RETRIES: "retries",
  LANES_WORKTREE_DIR: "worktreeDir",
  LANES_VERIFY: "verify",
  LANES_GRACE_PERIOD: "gracePeriod",
  LANES_HEARTBEAT: "heartbeat",
  LANES_MAX_TOKENS: "maxTokens",
  LANES_MAX_COST: "maxCost",
};

export function settingsFromEnv(env: NodeJS.ProcessEnv): SettingsFile {
  const layer: Record<string, unknown> = {};
  for (const [variable, key] of Object.entries(ENV_KEYS)) {
    const raw = env[variable];
    if (raw === undefined || raw === "") continue;
    layer[key] = envValue(key, raw);
  }
  const parsed = SettingsFileSchema.safeParse(layer);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = Object.keys(ENV_KEYS).find((name) => ENV_KEYS[name] === issue.path[0]);
    throw new LanesError(
      "E_SETTINGS",
      `environment variable ${variable}=${env[variable ?? ""]}: ${issue.message}`,
      { hint: `unset ${variable} or give it a valid value` },
    );
  }
  return parsed.data;
}

function envValue(key: keyof SettingsFile, raw: string): unknown {
  switch (key) {
    case "concurrency":
    case "retries":
    case "maxTokens":
    case "maxCost":
      return /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
    case "agent":
      // A preset name, or JSON for the object forms.
      if (raw.trim().startsWith("{")) {
        try {
          return AgentSettingSchema.parse(JSON.parse(raw));
        } catch {
          return raw;
        }
      }
      return raw;
    default:
      return raw;
  }
}

export interface LoadSettingsOptions {
  repoRoot: string;
  env?: NodeJS.ProcessEnv;
  /** The command line's layer, already validated by the CLI. */
  flags?: SettingsFile;
}

export interface LoadedSettings {
  settings: Settings;
  /** Which layer each key came from, for `lanes plan` and error messages. */
  sources: Partial<Record<keyof Settings, string>>;
}

/** Layers, lowest first: defaults < user settings < project settings < LANES_* env < flags. */
export async function loadSettings(options: LoadSettingsOptions): Promise<LoadedSettings> {
  const env = options.env ?? process.env;
  const userFile = userSettingsPath(env);
  const projectFile = path.join(options.repoRoot, PROJECT_SETTINGS);
  const layers: [string, SettingsFile][] = [
    [userFile, await readSettingsFile(userFile)],
    [projectFile, await readSettingsFile(projectFile)],
    ["environment", settingsFromEnv(env)],
    ["command line", options.flags ?? {}],
  ];
  const settings: Settings = { ...DEFAULT_SETTINGS };
  const sources: LoadedSettings["sources"] = {};
  for (const [source, layer] of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (key === "$schema" || value === undefined) continue;
      (settings as unknown as Record<string, unknown>)[key] = value;
      sources[key as keyof Settings] = source;
    }
  }
  return { settings, sources };
}
