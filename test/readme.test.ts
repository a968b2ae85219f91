// README.md is part of the contract: its CLI reference is the commands' own --help, its settings
// table is the settings table's, its two commands exist, and CI runs exactly its test command.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script, also run by hand to rewrite the README
import { cliReference, withReference } from "../scripts/cli-reference.mjs";
// @ts-expect-error: a plain .mjs script, also run by hand to rewrite the README
import { settingsTable, withSettingsTable } from "../scripts/settings-table.mjs";
import { buildProgram } from "../src/cli/program.js";
import {
  defaultText,
  entryOf,
  flagName,
  SETTING_KEYS,
  type SettingKey,
  type SettingsCommand,
} from "../src/config/table.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("README.md", () => {
  it("holds the CLI reference exactly as --help prints it (node scripts/cli-reference.mjs --write)", () => {
    expect(withReference(readme, cliReference())).toBe(readme);
  });

  it("holds the settings table exactly as the table makes it (node scripts/settings-table.mjs --write)", () => {
    expect(withSettingsTable(readme, settingsTable())).toBe(readme);
  });

  it("gives the two commands of a fresh machine, and CI runs its test command", () => {
    const scripts = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
    expect(readme).toContain("npm ci && npm run demo");
    expect(readme).toMatch(/^npm test\b/m);
    expect(scripts.demo).toContain("demo");
    expect(readFileSync(path.join(ROOT, ".ci", "run"), "utf8")).toMatch(/^npm test$/m);
  });
});

describe("every command's --help follows the settings table", () => {
  const program = buildProgram();
  // `--github` picks issues by label; the `github` setting itself has no flag.
  const NOT_SETTING_FLAGS = new Set(["--github"]);
  const settingOf = (long: string | undefined) =>
    NOT_SETTING_FLAGS.has(long ?? "")
      ? undefined
      : SETTING_KEYS.find((key) => flagName(key) === long);

  for (const command of program.commands) {
    const name = command.name();
    const takes = SETTING_KEYS.filter((key) =>
      entryOf(key).flag?.commands.includes(name as SettingsCommand),
    );

    it(`lanes ${name} has exactly the setting flags the table gives it`, () => {
      const declared = command.options
        .map((option) => settingOf(option.long))
        .filter((key): key is SettingKey => key !== undefined);
      expect(declared).toEqual(takes);
    });

    if (takes.length === 0) continue;
    it(`lanes ${name} --help shows each setting's help and default`, () => {
      const help = command.helpInformation().replace(/\s+/g, " ");
      for (const key of takes) {
        const entry = entryOf(key);
        const flag = entry.flag!;
        const value = flag.optionalValue ? `[${flag.placeholder}]` : `<${flag.placeholder}>`;
        const usage = `${flag.short ? `-${flag.short}, ` : ""}${flagName(key)} ${value}`;
        expect(help).toContain(`${usage} ${flag.help ?? entry.help}`);
        // resume keeps what its run was started with, so it shows no default of its own.
        const shown = name === "resume" ? undefined : defaultText(key, false);
        if (shown) expect(help).toContain(`${flag.help ?? entry.help} (default: ${shown})`);
        else expect(help).not.toMatch(new RegExp(`${flagName(key)} <[^>]+> [^(]*\\(default`));
      }
    });
  }

  it("no setting has a flag on a command the table does not name", () => {
    const names = program.commands.map((command) => command.name());
    for (const key of SETTING_KEYS) {
      for (const command of entryOf(key).flag?.commands ?? []) expect(names).toContain(command);
    }
  });
});
