/**
 * Where a setting's value came from, in the words of an error message: the file and key, the
 * environment variable, the command line, or the default. Errors name what the user must change.
 */
import path from "node:path";
import { entryOf, flagName, type SettingKey } from "../../config/table.js";

export function whereSet(key: SettingKey, source: string | undefined, repoRoot: string): string {
  const entry = entryOf(key);
  if (source === undefined) return `the default ${key}`;
  if (source === "environment") return `${entry.env} in the environment`;
  if (source === "command line") return entry.flag ? flagName(key) : `the "${key}" setting`;
  const file = path.relative(repoRoot, source);
  return `${key} in ${file.startsWith("..") || path.isAbsolute(file) ? source : file}`;
}
