// Prints the README's settings table from the settings table (src/config/table.ts), or with
// --write puts it into README.md between the settings-table markers (test/readme.test.ts checks
// that the two agree).
import { readFileSync, writeFileSync } from "node:fs";
import { KINDS } from "../dist/config/kinds.js";
import { acceptsOf, defaultText, flagName, SETTING_KEYS, SETTINGS } from "../dist/config/table.js";

const code = (text) => `\`${text}\``;
// Table cells are Markdown: a `|` would end the cell and `<name>` would read as HTML.
const cell = (text) => text.replaceAll("|", "\\|").replaceAll("<", "&lt;");

export function settingsTable() {
  const rows = SETTING_KEYS.map((key) => {
    const entry = SETTINGS[key];
    const shown = defaultText(key, true);
    const flag = entry.flag
      ? `${entry.flag.short ? `${code(`-${entry.flag.short}`)}, ` : ""}${code(flagName(key))}`
      : "";
    const value = `${acceptsOf(key)}${KINDS[entry.kind].unit === "ms" ? " (units: ms, s, m, h, d)" : ""}`;
    return [
      code(key),
      shown ? code(shown) : "none",
      code(entry.env),
      flag,
      cell(value),
      cell(entry.help),
    ];
  });
  const lines = [
    ["key", "default", "env", "flag", "value", "meaning"],
    ["---", "---", "---", "---", "---", "---"],
    ...rows,
  ];
  return `${lines.map((cells) => `| ${cells.join(" | ")} |`).join("\n")}\n`;
}

const START = "<!-- settings-table:start -->";
const END = "<!-- settings-table:end -->";

export function withSettingsTable(readme, table) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error("README.md has no settings-table markers");
  return `${readme.slice(0, start + START.length)}\n\n${table}\n${readme.slice(end)}`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  const table = settingsTable();
  if (process.argv.includes("--write")) {
    const file = new URL("../README.md", import.meta.url);
    writeFileSync(file, withSettingsTable(readFileSync(file, "utf8"), table));
  } else process.stdout.write(table);
}
