import { parseDocument } from "yaml";

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
export function withStatus(text: string, record: StatusRecord): string {
  const match = /^(\uFEFF?---[ \t]*\r?\n)([\s\S]*?)(^---[ \t]*$[\s\S]*)$/m.exec(text);
  if (!match) return text;
  const [, opening, yaml, rest] = match;
  const document = parseDocument(yaml!);
  for (const key of ["completed_at", "branch", "commits", "reason", "run"] as const) {
    document.delete(key);
  }
  for (const [key, value] of Object.entries(record)) {
    if (value !== undefined) document.set(key, value);
  }
  return `${opening}${document.toString()}${rest}`;
}
