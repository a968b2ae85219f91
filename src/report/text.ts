/**
 * Terminal text helpers: agent output is untrusted data that may carry escape sequences and
 * control characters, and the live region must know how many columns a line takes, or its
 * cursor arithmetic breaks.
 */

// CSI (colours, cursor moves), OSC (titles, hyperlinks), and two-character escapes.
const ANSI = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;
const SGR = /^\x1b\[[0-9;]*m/;

/** `1 task`, `2 tasks`: a count with its noun. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
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

function charWidth(char: string): number {
  const code = char.codePointAt(0)!;
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return 0;
  if (/\p{Mn}|\p{Me}|\u200b|\u200d|[\ufe00-\ufe0f]/u.test(char)) return 0;
  if (/\p{Emoji_Presentation}/u.test(char)) return 2;
  const wide =
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x20000 && code <= 0x3fffd);
  return wide ? 2 : 1;
}

/** Columns the text takes in a terminal, colour codes excluded. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of stripAnsi(text)) width += charWidth(char);
  return width;
}

/**
 * Cuts text to at most `width` columns, ending in `…` when cut. Colour codes are kept but not
 * counted, and a reset is added after a cut so that colour never bleeds into the next line.
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
    const char = String.fromCodePoint(rest.codePointAt(0)!);
    const w = charWidth(char);
    if (used + w > budget) break;
    result += char;
    used += w;
    rest = rest.slice(char.length);
  }
  return `${result}…${coloured ? "\x1b[0m" : ""}`;
}
