/**
 * Parses the path globs of `files:` and `lane.copy`/`lane.link` into segments of tokens, so that
 * one small automaton (glob/match.ts) can both match a path and decide whether two globs can
 * match a common path. Written here rather than taken from a library: Node 20 has no `fs.glob`,
 * its `path.matchesGlob` is experimental (it prints a warning) and only matches paths, and no
 * library answers the question the scheduler asks: "can these two patterns match one file?".
 *
 * The syntax, relative to the repository root with `/` between segments:
 * - `*` any characters inside one segment (dotfiles included), `?` one character,
 * - `[abc]`, `[a-z]`, `[!a]` (or `[^a]`) one character of a class,
 * - `{a,b}` alternatives (nested allowed), `\x` the character x itself,
 * - `**` as a whole segment: zero or more segments (elsewhere it is a `*`).
 * A leading `./` or `/` and a trailing `/` are dropped; empty segments are ignored.
 */
export type Token =
  | { kind: "char"; ch: string }
  | { kind: "any" }
  | { kind: "star" }
  | { kind: "class"; negated: boolean; ranges: Array<[string, string]> };

export type Segment = { kind: "globstar" } | { kind: "part"; tokens: Token[] };

/** Brace alternatives multiply: past this many, a pattern is refused rather than expanded. */
export const MAX_ALTERNATIVES = 256;

/** Whether the text uses any glob syntax; a path without it names one file or folder. */
export function hasGlobSyntax(pattern: string): boolean {
  return /[*?[\]{}\\]/.test(pattern);
}

/** The pattern's spelling with `./`, leading `/`, trailing `/` and empty segments removed. */
export function normalizePattern(pattern: string): string {
  return pattern
    .split("/")
    .filter((part) => part !== "" && part !== ".")
    .join("/");
}

/** One pattern's alternatives (after brace expansion), each a list of segments. */
export function parsePattern(pattern: string): Segment[][] {
  return expandBraces(normalizePattern(pattern)).map(parseSegments);
}

/** A literal path as segments: every character stands for itself. */
export function literalSegments(path: string): Segment[] {
  return normalizePattern(path)
    .split("/")
    .filter((part) => part !== "")
    .map((part) => ({ kind: "part", tokens: [...part].map((ch) => ({ kind: "char", ch })) }));
}

function parseSegments(pattern: string): Segment[] {
  const segments: Segment[] = [];
  for (const part of splitSegments(pattern)) {
    if (part === "**") {
      // `a/**/**/b` means the same as `a/**/b`.
      if (segments.at(-1)?.kind !== "globstar") segments.push({ kind: "globstar" });
    } else if (part !== "") {
      segments.push({ kind: "part", tokens: parseTokens(part) });
    }
  }
  return segments;
}

/** Splits at `/`, but not at an escaped one or one inside a character class. */
function splitSegments(pattern: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "\\" && i + 1 < pattern.length) {
      current += ch + pattern[++i];
    } else if (ch === "/") {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function parseTokens(part: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < part.length; i++) {
    const ch = part[i]!;
    if (ch === "\\" && i + 1 < part.length) {
      tokens.push({ kind: "char", ch: part[++i]! });
    } else if (ch === "*") {
      if (tokens.at(-1)?.kind !== "star") tokens.push({ kind: "star" });
    } else if (ch === "?") {
      tokens.push({ kind: "any" });
    } else if (ch === "[") {
      const parsed = parseClass(part, i);
      if (parsed === undefined) {
        tokens.push({ kind: "char", ch });
      } else {
        tokens.push(parsed.token);
        i = parsed.end;
      }
    } else {
      tokens.push({ kind: "char", ch });
    }
  }
  return tokens;
}

/** `[...]` starting at `start`; undefined when it never closes (then `[` is a plain character). */
function parseClass(part: string, start: number): { token: Token; end: number } | undefined {
  let i = start + 1;
  const negated = part[i] === "!" || part[i] === "^";
  if (negated) i++;
  const ranges: Array<[string, string]> = [];
  let first = true;
  while (i < part.length && (part[i] !== "]" || first)) {
    first = false;
    let lo = part[i]!;
    if (lo === "\\" && i + 1 < part.length) lo = part[++i]!;
    if (part[i + 1] === "-" && i + 2 < part.length && part[i + 2] !== "]") {
      let hi = part[i + 2]!;
      i += 2;
      if (hi === "\\" && i + 1 < part.length) hi = part[++i]!;
      ranges.push(lo <= hi ? [lo, hi] : [hi, lo]);
    } else {
      ranges.push([lo, lo]);
    }
    i++;
  }
  if (i >= part.length) return undefined;
  return { token: { kind: "class", negated, ranges }, end: i };
}

/** `a{b,c{d,e}}` -> `ab`, `acd`, `ace`. A brace without a comma or a partner is literal. */
export function expandBraces(pattern: string): string[] {
  const out: string[] = [];
  const queue = [pattern];
  while (queue.length > 0) {
    const current = queue.pop()!;
    const group = findBraceGroup(current);
    if (group === undefined) {
      out.push(current);
    } else {
      const head = current.slice(0, group.open);
      const tail = current.slice(group.close + 1);
      for (const option of group.options.reverse()) queue.push(head + option + tail);
    }
    if (out.length + queue.length > MAX_ALTERNATIVES) {
      throw new RangeError(
        `the pattern ${JSON.stringify(pattern)} expands to more than ${MAX_ALTERNATIVES} alternatives`,
      );
    }
  }
  return out;
}

function findBraceGroup(
  text: string,
): { open: number; close: number; options: string[] } | undefined {
  for (let open = 0; open < text.length; open++) {
    if (text[open] === "\\") {
      open++;
      continue;
    }
    if (text[open] !== "{") continue;
    let depth = 0;
    let last = open + 1;
    const options: string[] = [];
    for (let i = open; i < text.length; i++) {
      const ch = text[i];
      if (ch === "\\") {
        i++;
      } else if (ch === "{") {
        depth++;
      } else if (ch === "}") {
        depth--;
        if (depth === 0) {
          options.push(text.slice(last, i));
          if (options.length > 1) return { open, close: i, options };
          break; // `{x}` has no alternatives: a literal brace; look for a later group
        }
      } else if (ch === "," && depth === 1) {
        options.push(text.slice(last, i));
        last = i + 1;
      }
    }
  }
  return undefined;
}
