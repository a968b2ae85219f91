/**
 * The settings file schema, the resolved `Settings` type and the defaults, all made from the
 * table in table.ts. A file (or env, or flag) layer is validated here; durations come out of
 * validation as milliseconds, under their `…Ms` names, so that nothing parses them again.
 */
import { z } from "zod";
import { KIND_SCHEMAS } from "./kind-schemas.js";
import { KINDS, type ValueKind } from "./kinds.js";
import {
  type ResolvedKey,
  resolvedKey,
  SETTING_KEYS,
  SETTINGS,
  type SettingKey,
  type SettingsTable,
} from "./table.js";

export {
  type AgentSetting,
  AgentSettingSchema,
  CommandAgentSchema,
  PresetAgentSchema,
} from "./agent-setting.js";
export { type NotifySetting, NotifySettingSchema } from "./notify-setting.js";
export { PRESET_NAMES, type PresetName } from "./presets.js";

type KindSchema<K extends SettingKey> = (typeof KIND_SCHEMAS)[SettingsTable[K]["kind"]];

type FileShape = { $schema: z.ZodOptional<z.ZodString> } & {
  [K in SettingKey]: z.ZodOptional<KindSchema<K>>;
};

/**
 * `.lanes/settings.json` (and the user settings file): every key optional, unknown keys errors.
 * Defaults live in `DEFAULT_SETTINGS`, so that a layer only holds what its file says.
 */
export const SettingsFileSchema = z.strictObject({
  $schema: z.string().optional(),
  ...Object.fromEntries(
    SETTING_KEYS.map((key) => [key, KIND_SCHEMAS[SETTINGS[key].kind].optional()]),
  ),
} as FileShape);

/** Settings as a user writes them: in a file, in `run({ settings })`, as a flag's value. */
export type SettingsFile = z.input<typeof SettingsFileSchema>;
/** One validated layer: durations already in milliseconds, still under their file names. */
export type SettingsLayer = z.output<typeof SettingsFileSchema>;

type Value<K extends SettingKey> = z.output<KindSchema<K>>;
type Unset<K extends SettingKey> = SettingsTable[K]["default"] extends undefined
  ? undefined
  : never;

/** The settings a run uses: every layer merged, each key with a value or its default. */
export type Settings = { [K in SettingKey as ResolvedKey<K>]: Value<K> | Unset<K> };

/** Puts one validated layer's values over `settings`, under their resolved names. */
export function applyLayer(
  settings: Settings,
  layer: SettingsLayer,
  onKey?: (key: SettingKey) => void,
): void {
  for (const key of SETTING_KEYS) {
    const value = layer[key];
    if (value === undefined) continue;
    const name = resolvedKey(key);
    const below = (settings as Record<string, unknown>)[name];
    // A kind that merges (queue): `--queue URL` over a file's { remote } keeps both.
    (settings as Record<string, unknown>)[name] =
      (KINDS[SETTINGS[key].kind] as ValueKind).merges && typeof below === "object"
        ? { ...below, ...(value as object) }
        : value;
    onKey?.(key);
  }
}

function defaults(): Settings {
  const settings = Object.fromEntries(
    SETTING_KEYS.map((key) => [resolvedKey(key), undefined]),
  ) as unknown as Settings;
  const written = Object.fromEntries(SETTING_KEYS.map((key) => [key, SETTINGS[key].default]));
  applyLayer(settings, SettingsFileSchema.parse(written));
  return settings;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze(defaults());
