/** Settings in layers, lowest first: defaults < user file < project file < LANES_* env < flags. */
import { lstat, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { LanesError } from "../errors.js";
import { KINDS, overLimit } from "./kinds.js";
import {
  applyLayer,
  DEFAULT_SETTINGS,
  type Settings,
  type SettingsFile,
  SettingsFileSchema,
  type SettingsLayer,
} from "./schema.js";
import { acceptsOf, entryOf, SETTING_KEYS, type SettingKey } from "./table.js";
import { describeIssues } from "./zod-issues.js";

export const PROJECT_SETTINGS = path.join(".lanes", "settings.json");

/** `$LANES_USER_SETTINGS`, else `$XDG_CONFIG_HOME/lanes/settings.json`, else `~/.config/...`. */
export function userSettingsPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LANES_USER_SETTINGS) return env.LANES_USER_SETTINGS;
  const configHome = env.XDG_CONFIG_HOME || path.join(homedir(), ".config");
  return path.join(configHome, "lanes", "settings.json");
}

const SETTINGS_HINT = "settings files are JSON text (lanes init writes a valid example)";

/**
 * A settings file's text, or undefined when there is none. Read like a task file: a UTF-8
 * byte-order mark is dropped; a folder, a link that leads nowhere or bytes that are not UTF-8
 * are errors naming the file, not a crash or a silent default.
 */
async function readSettingsText(file: string): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      const link = await lstat(file).then(
        (info) => info.isSymbolicLink(),
        () => false,
      );
      if (!link) return undefined;
      throw new LanesError(
        "E_SETTINGS",
        `${file}: the link leads nowhere (its target does not exist)`,
        { hint: "remove the link or point it at a settings file" },
      );
    }
    if (code === "EISDIR") {
      throw new LanesError(
        "E_SETTINGS",
        `${file} is a folder, where a settings file was expected`,
        {
          hint: `remove the folder or put a settings file in its place; ${SETTINGS_HINT}`,
        },
      );
    }
    throw new LanesError(
      "E_SETTINGS",
      `${file}: cannot read settings: ${(error as Error).message}`,
      { cause: error, hint: "make the file readable" },
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new LanesError("E_SETTINGS", `${file}: not valid UTF-8 text`, {
      hint: `save it as UTF-8; ${SETTINGS_HINT}`,
    });
  }
}

/** Reads and validates one settings file; a missing file is an empty layer. */
export async function readSettingsFile(file: string): Promise<SettingsLayer> {
  const text = await readSettingsText(file);
  if (text === undefined) return {};
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

/**
 * The `LANES_*` environment layer: each variable is one setting's (table.ts), read from text the
 * way its flag is; a bad value names the variable.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv): SettingsLayer {
  const layer: SettingsLayer = {};
  for (const key of SETTING_KEYS) {
    const variable = entryOf(key).env;
    const raw = env[variable];
    if (raw === undefined || raw === "") continue;
    const value = KINDS[entryOf(key).kind].fromText(raw);
    const parsed = SettingsFileSchema.safeParse({ [key]: value });
    if (!parsed.success) {
      // JSON (LANES_AGENT's object form) gets zod's precise account; plain text "must be …".
      const problem =
        typeof value === "object"
          ? describeIssues(parsed.error)
          : `must be ${overLimit(entryOf(key).kind, value) ?? acceptsOf(key)}`;
      throw new LanesError("E_SETTINGS", `environment variable ${variable}=${raw}: ${problem}`, {
        hint: `unset ${variable} or give it a valid value`,
      });
    }
    Object.assign(layer, parsed.data);
  }
  return layer;
}

export interface LoadSettingsOptions {
  repoRoot: string;
  env?: NodeJS.ProcessEnv;
  /** The command line's layer (or `run({ settings })`), already checked by the CLI. */
  flags?: SettingsFile;
}

export interface LoadedSettings {
  settings: Settings;
  /** Which layer each key (as settings files name it) came from, for messages. */
  sources: Partial<Record<SettingKey, string>>;
}

/** Layers, lowest first: defaults < user settings < project settings < LANES_* env < flags. */
export async function loadSettings(options: LoadSettingsOptions): Promise<LoadedSettings> {
  const env = options.env ?? process.env;
  const userFile = userSettingsPath(env);
  const projectFile = path.join(options.repoRoot, PROJECT_SETTINGS);
  const layers: [string, SettingsLayer][] = [
    [userFile, await readSettingsFile(userFile)],
    [projectFile, await readSettingsFile(projectFile)],
    ["environment", settingsFromEnv(env)],
    ["command line", parseLayer(options.flags ?? {}, 'the "settings" option')],
  ];
  const settings: Settings = { ...DEFAULT_SETTINGS };
  const sources: LoadedSettings["sources"] = {};
  for (const [source, layer] of layers) {
    applyLayer(settings, layer, (key) => {
      sources[key] = source;
    });
  }
  return { settings, sources };
}

/** The flags layer is checked by the CLI already; an API caller's `settings` may not be. */
function parseLayer(layer: SettingsFile, where: string): SettingsLayer {
  const parsed = SettingsFileSchema.safeParse(layer);
  if (!parsed.success) {
    throw new LanesError("E_SETTINGS", `${where}: ${describeIssues(parsed.error)}`, {
      hint: "see settings.schema.json in the lanes package for every key and its type",
    });
  }
  return parsed.data;
}
