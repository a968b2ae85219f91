import { stripVTControlCharacters } from "node:util";
import stringWidth from "string-width";

/**
 * Terminal text helpers: agent output is untrusted data that may carry escape sequences and
 * control characters, and the live region must know how many columns a line takes, or its
 * cursor arithmetic breaks. Node strips the escape codes and string-width counts the columns
 * (emoji ZWJ sequences, flags, CJK), so that none of Unicode's width rules live here.
 */

const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;
/** OSC (a title, a hyperlink), ended by BEL or ST. */
const OSC = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;
const SGR = /^\x1b\[[0-9;]*m/;
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** `1 task`, `2 tasks`: a count with its noun. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

export function stripAnsi(text: string): string {
  // Node's pattern (ansi-regex's) reads `ESC[2K text BEL` as one sequence and would eat the
  // text: OSC sequences, the only ones BEL ends, go first, and stray BELs with them.
  return stripVTControlCharacters(text.replace(OSC, "").replace(/\x07/g, ""));
}

/**
 * One line of agent output made safe to print: no escape codes, no control characters. A line
 * redrawn with carriage returns (a progress bar) shows what a terminal would: its last state.
 */
export function sanitizeLine(text: string): string {
  const segments = stripAnsi(text).replace(/\r+$/, "").split("\r");
  return segments[segments.length - 1]!.replace(/\t/g, "  ").replace(CONTROL, "");
}

/** Multi-line details (conflicting files, stderr tails) folded onto one line. */
export function oneLine(text: string): string {
  return text
    .split("\n")
    .map((line) => sanitizeLine(line).trim())
    .filter((line) => line !== "")
    .join("; ");
}

/** Columns the text takes in a terminal, colour codes excluded. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/**
 * Cuts text to at most `width` columns, ending in `…` when cut, never inside a grapheme (an
 * emoji sequence or a letter with its accents). Colour codes are kept but not counted, and a
 * reset is added after a cut so that colour never bleeds into the next line.
 */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return "";
  const budget = width - 1;
  let used = 0;
  let result = "";
  let coloured = false;
  let rest = text;
  while (rest !== "") {
    const code = SGR.exec(rest);
    if (code) {
      result += code[0];
      coloured = true;
      rest = rest.slice(code[0].length);
      continue;
    }
    const next = rest.indexOf("\x1b", 1);
    const plain = next === -1 ? rest : rest.slice(0, next);
    let cut = false;
    for (const { segment } of graphemes.segment(plain)) {
      const w = stringWidth(segment);
      if (used + w > budget) {
        cut = true;
        break;
      }
      result += segment;
      used += w;
    }
    if (cut) break;
    rest = rest.slice(plain.length);
  }
  return `${result}…${coloured ? "\x1b[0m" : ""}`;
}
