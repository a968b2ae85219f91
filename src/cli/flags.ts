/**
 * The command line's side of the settings table: each command's setting options are built from
 * it, and their values are checked by the settings' own zod schema, with errors that name the
 * flag as typed. Loads no validator until a command runs, so that `lanes --help` stays quick.
 */
import {
  type Command,
  type CommanderError,
  Option,
  type OptionValues,
} from "@commander-js/extra-typings";
import { KINDS, overLimit } from "../config/kinds.js";
import type { SettingsFile } from "../config/schema.js";
import {
  acceptsOf,
  defaultText,
  entryOf,
  flagName,
  SETTING_KEYS,
  type SettingKey,
  type SettingsCommand,
} from "../config/table.js";
import { LanesError } from "../errors.js";

/** Setting flags as commander hands them over: text (`true` for a bare optional-value flag). */
export type SettingsFlags = Partial<Record<SettingKey, string | true>>;

/** The options of one command's settings, in the table's order. */
export function settingOptions(command: SettingsCommand): Option[] {
  return SETTING_KEYS.flatMap((key) => {
    const entry = entryOf(key);
    const flag = entry.flag;
    if (!flag?.commands.includes(command)) return [];
    // A resumed run keeps the settings it was started with: the table's default would mislead.
    const shown = command === "resume" ? undefined : defaultText(key, false);
    const option = new Option(
      `${flag.short ? `-${flag.short}, ` : ""}${flagName(key)} ${flag.optionalValue ? `[${flag.placeholder}]` : `<${flag.placeholder}>`}`,
      `${flag.help ?? entry.help}${shown ? ` (default: ${shown})` : ""}`,
    );
    return [flag.choices ? option.choices(flag.choices) : option];
  });
}

/** Adds a command's setting options; its action then receives them as `SettingsFlags`. */
export function withSettingOptions<Args extends unknown[], Opts extends OptionValues>(
  command: Command<Args, Opts>,
  name: SettingsCommand,
): Command<Args, Opts & SettingsFlags> {
  for (const option of settingOptions(name)) command.addOption(option);
  return command as unknown as Command<Args, Opts & SettingsFlags>;
}

/**
 * Commander gives an optional-value flag whatever word follows it, so `lanes run --pr 1 2` would
 * read `1` as the pull-request mode. Here such a flag followed by anything but one of its own
 * words is written `--flag=true`, and the word stays an argument.
 */
export function bindOptionalValues(argv: readonly string[]): string[] {
  const words = new Map<string, readonly string[]>();
  for (const key of SETTING_KEYS) {
    const values = entryOf(key).flag?.optionalValue;
    if (values) words.set(flagName(key), values);
  }
  return argv.map((token, i) => {
    const values = words.get(token);
    const next = argv[i + 1];
    return values && next !== undefined && !next.startsWith("-") && !values.includes(next)
      ? `${token}=true`
      : token;
  });
}

/** Flags of which at most one may be given (`--fail-fast`, `--sequential`, `--chain`). */
export function exclusiveOptions<const T extends Option<string>[]>(...options: T): T {
  for (const option of options) {
    option.conflicts(
      options.filter((other) => other !== option).map((other) => other.attributeName()),
    );
  }
  return options;
}

function flagHint(key: SettingKey): string {
  const flag = entryOf(key).flag;
  return flag?.hint ?? `for example ${flagName(key)} ${flag?.example ?? ""}`.trimEnd();
}

/**
 * The command line's settings layer. Each value is read as its env variable would be and checked
 * by the settings schema, so that the error names the flag as the user typed it, before any
 * settings file is read or anything is started.
 */
export async function settingsFromFlags(flags: SettingsFlags): Promise<SettingsFile> {
  const { SettingsFileSchema } = await import("../config/schema.js");
  const layer: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const given = flags[key];
    if (given === undefined) continue;
    const raw = given === true ? "true" : given;
    const value = KINDS[entryOf(key).kind].fromText(raw);
    if (!SettingsFileSchema.safeParse({ [key]: value }).success) {
      const choices = entryOf(key).flag?.choices;
      const must = choices
        ? `one of ${choices.join(", ")}`
        : (overLimit(entryOf(key).kind, value) ?? acceptsOf(key));
      throw new LanesError(
        "E_USAGE",
        `Invalid ${flagName(key)} value: ${raw}. Must be ${must}${must.endsWith(".") ? "" : "."}`,
        { hint: flagHint(key) },
      );
    }
    layer[key] = value;
  }
  return layer as SettingsFile;
}

/** What to suggest after one of commander's own errors (bad choice, flags that exclude each other). */
export function commanderHint(error: CommanderError): string {
  if (error.code === "commander.conflictingOption")
    return "these flags exclude each other: give one of them";
  const flag = /option '(?:-\w, )?(--[\w-]+)/.exec(error.message)?.[1];
  const key = SETTING_KEYS.find((candidate) => flagName(candidate) === flag);
  if (error.code === "commander.invalidArgument" && key) return flagHint(key);
  return "run `lanes --help` or `lanes <command> --help`";
}
