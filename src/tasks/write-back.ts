// A task's status record, written into its front matter: the text change, and reading and
// writing task files without ever following a symlink.
import { lstat, readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { parseDocument } from "yaml";
import { LanesError } from "../errors.js";
import { writeFileAtomic } from "../state/atomic.js";

/** Fields lanes writes into a task's front matter when the task is merged or fails. */
export interface StatusRecord {
  status: "done" | "failed";
  completed_at?: string;
  branch?: string;
  commits?: string[];
  reason?: string;
  run?: string;
}

/**
 * The task file's text with its front matter updated, comments and key order kept, the body
 * untouched. Landing the integration branch lands this record; the next plan skips done tasks.
 */
export function withStatus(text: string, record: StatusRecord, file = "the task file"): string {
  const match = /^(\uFEFF?---[ \t]*\r?\n)([\s\S]*?)(^---[ \t]*$[\s\S]*)$/m.exec(text);
  if (!match) return text;
  const [, opening, yaml, rest] = match;
  const document = parseDocument(yaml!);
  const error = document.errors[0];
  if (error) {
    // yaml would refuse to write it back ("Document with errors cannot be stringified").
    throw new LanesError(
      "E_TASK_FILE_BROKEN",
      `${file}: the front matter is not valid YAML (${error.message.split("\n")[0]}), so the task's status cannot be written into it`,
      { hint: "restore the front matter; agents must leave the task files alone", exitCode: 1 },
    );
  }
  for (const key of ["completed_at", "branch", "commits", "reason", "run"] as const) {
    document.delete(key);
  }
  for (const [key, value] of Object.entries(record)) {
    if (value !== undefined) document.set(key, value);
  }
  return `${opening}${document.toString()}${rest}`;
}

/**
 * The path of `file` (relative to `root`) when neither it nor any folder on the way is a symlink
 * and it is a regular file: write-back never follows a link out of the repository or the lane.
 */
async function plainFile(root: string, file: string): Promise<string | undefined> {
  const full = path.join(root, file);
  try {
    const [realFolder, realRoot] = await Promise.all([
      realpath(path.dirname(full)),
      realpath(root),
    ]);
    if (realFolder !== path.join(realRoot, path.dirname(file))) return undefined;
    return (await lstat(full)).isFile() ? full : undefined;
  } catch {
    return undefined;
  }
}

/** A task file's text, or undefined when it is missing or reached through a symlink. */
export async function readPlainTaskFile(root: string, file: string): Promise<string | undefined> {
  const full = await plainFile(root, file);
  return full === undefined ? undefined : readFile(full, "utf8").catch(() => undefined);
}

/**
 * Replaces a task file's text (atomically: a rename, which replaces and never follows a link).
 * Returns false, writing nothing, when the file is missing or a symlink is on the way.
 */
export async function writePlainTaskFile(
  root: string,
  file: string,
  text: string,
  /** false: no fsync, for a copy git commits at once (writeFileAtomic). */
  { sync = true }: { sync?: boolean } = {},
): Promise<boolean> {
  const full = await plainFile(root, file);
  if (full === undefined) return false;
  await writeFileAtomic(full, text, { sync });
  return true;
}
