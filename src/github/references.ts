// The ways an issue names its dependencies in text, and the ways a user names issues on the
// command line, parsed purely so that table tests cover every form.
import { LanesError, show } from "../errors.js";

// A line that starts (after list markers, quote marks or bold) with "Depends on" or "Blocked by".
const DEPENDENCY_LINE =
  /^\s*(?:(?:[-*+]|\d+[.)]|>)\s+)*(?:\*\*|__)?(?:depends\s+on|blocked\s+by)(?:\*\*|__)?\s*:?(?:\*\*|__)?\s*(.*)$/i;
// The numbers on such a line: `#10, #11`, `#10 and #11`, `#10 & #11`; `other/repo#10` is not ours.
const ISSUE_REF = /(?:^|[\s,;(&])#(\d+)\b/g;

/**
 * The issue numbers an issue body says it depends on, in order, without repeats: lines such as
 * `Depends on: #10, #11` or `Blocked by #10` (any case). Fenced code blocks are skipped: they
 * hold examples, not declarations.
 */
export function parseBodyDependencies(body: string | null | undefined): number[] {
  const found: number[] = [];
  let fence: string | undefined;
  for (const line of (body ?? "").split(/\r?\n/)) {
    const marker = /^\s*(```|~~~)/.exec(line)?.[1];
    if (marker !== undefined) {
      if (fence === undefined) fence = marker;
      else if (marker === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const refs = DEPENDENCY_LINE.exec(line)?.[1];
    if (refs === undefined) continue;
    for (const match of refs.matchAll(ISSUE_REF)) {
      const number = Number(match[1]);
      if (number > 0 && !found.includes(number)) found.push(number);
    }
  }
  return found;
}

/** The numbers of labels `depends-on/10` (any case; `depends-on/#10` too). */
export function parseLabelDependencies(labels: readonly string[]): number[] {
  const found: number[] = [];
  for (const label of labels) {
    const match = /^depends-on\/#?(\d+)$/i.exec(label.trim());
    const number = Number(match?.[1]);
    if (match && number > 0 && !found.includes(number)) found.push(number);
  }
  return found;
}

/** `12` or `#12` as an issue number; undefined for anything else (a local task id, say). */
export function issueNumberOf(arg: string): number | undefined {
  const match = /^#?([1-9]\d{0,9})$/.exec(arg.trim());
  return match ? Number(match[1]) : undefined;
}

/** Command-line issue references, each `12` or `#12`; anything else is a usage error naming it. */
export function parseIssueRefs(args: readonly string[]): number[] {
  const numbers: number[] = [];
  for (const arg of args) {
    const number = issueNumberOf(arg);
    if (number === undefined) {
      throw new LanesError("E_USAGE", `${show(arg)} is not a GitHub issue number`, {
        hint: "name issues by number, as 12 or #12",
      });
    }
    if (!numbers.includes(number)) numbers.push(number);
  }
  return numbers;
}
