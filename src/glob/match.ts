/**
 * One question answered three ways: is there a path both sides accept? Matching a path is that
 * question with a literal path on one side; "may something under this folder match?" puts the
 * folder plus "one or more segments" on one side; two tasks' `files` overlap when their patterns
 * (each read as "this path and everything under it") share a path. The answer comes from walking
 * the product of the two patterns' automata, first over segments, then inside a segment over
 * characters; a few dozen states for real patterns.
 *
 * Conservative where exactness costs more than it is worth: two character classes are taken to
 * share a character unless both are plain sets that do not intersect, and a `*` segment is taken
 * to match something even where the other side allows only an empty name.
 */
import { literalSegments, parsePattern, type Segment, type Token } from "./pattern.js";

export interface CompiledGlob {
  /** Whether `path` (relative to the root, `/`-separated) matches the glob exactly. */
  matches(path: string): boolean;
  /** Whether some path strictly inside the folder `dir` could match: worth walking into. */
  mayMatchUnder(dir: string): boolean;
}

/** Parses once, for matching many paths (a folder walk). */
export function compileGlob(pattern: string): CompiledGlob {
  const alternatives = parsePattern(pattern);
  return {
    matches: (path) => {
      const target = literalSegments(path);
      return alternatives.some((alternative) => segmentsMeet(alternative, target));
    },
    mayMatchUnder: (dir) => {
      const under: Segment[] = [
        ...literalSegments(dir),
        { kind: "part", tokens: [{ kind: "star" }] },
        { kind: "globstar" },
      ];
      return alternatives.some((alternative) => segmentsMeet(alternative, under));
    },
  };
}

export function globMatches(pattern: string, path: string): boolean {
  return compileGlob(pattern).matches(path);
}

export function globMayMatchUnder(pattern: string, dir: string): boolean {
  return compileGlob(pattern).mayMatchUnder(dir);
}

/**
 * Whether two `files` entries can name a common file, each read as the path (or glob) and
 * everything under it: `src` overlaps `src/a.ts`, `src/*.ts` overlaps `src/**`, `a/*` overlaps
 * `a/b/c` (a/b and everything under it).
 */
export function globsOverlap(a: string, b: string): boolean {
  const withContents = (segments: Segment[]): Segment[] =>
    segments.at(-1)?.kind === "globstar" ? segments : [...segments, { kind: "globstar" }];
  const left = parsePattern(a).map(withContents);
  const right = parsePattern(b).map(withContents);
  return left.some((x) => right.some((y) => segmentsMeet(x, y)));
}

/** Whether some path of segments matches both sequences (`**` matches zero or more segments). */
function segmentsMeet(a: Segment[], b: Segment[]): boolean {
  return productAccepts(a.length, b.length, (i, j) => {
    const x = a[i];
    const y = b[j];
    return {
      skipA: x?.kind === "globstar",
      skipB: y?.kind === "globstar",
      stepA: x === undefined ? undefined : x.kind === "globstar" ? "stay" : "advance",
      stepB: y === undefined ? undefined : y.kind === "globstar" ? "stay" : "advance",
      compatible: () =>
        x?.kind !== "part" || y?.kind !== "part" ? true : tokensMeet(x.tokens, y.tokens),
    };
  });
}

/** Whether some segment name matches both token lists (`*` matches zero or more characters). */
function tokensMeet(a: Token[], b: Token[]): boolean {
  return productAccepts(a.length, b.length, (i, j) => {
    const x = a[i];
    const y = b[j];
    return {
      skipA: x?.kind === "star",
      skipB: y?.kind === "star",
      stepA: x === undefined ? undefined : x.kind === "star" ? "stay" : "advance",
      stepB: y === undefined ? undefined : y.kind === "star" ? "stay" : "advance",
      compatible: () => charsMeet(x!, y!),
    };
  });
}

interface Moves {
  /** The side may move on without consuming (a `*` or `**` matching nothing more). */
  skipA: boolean;
  skipB: boolean;
  /** How the side consumes one unit: stay on a repeating wildcard, advance past anything else. */
  stepA: "stay" | "advance" | undefined;
  stepB: "stay" | "advance" | undefined;
  /** Whether both sides' current items accept a common unit. */
  compatible: () => boolean;
}

/** Breadth-first search of the product automaton from (0, 0) to (lenA, lenB). */
function productAccepts(
  lenA: number,
  lenB: number,
  movesAt: (i: number, j: number) => Moves,
): boolean {
  const seen = new Set<number>();
  const queue: Array<[number, number]> = [[0, 0]];
  const visit = (i: number, j: number) => {
    const key = i * (lenB + 1) + j;
    if (seen.has(key)) return;
    seen.add(key);
    queue.push([i, j]);
  };
  seen.add(0);
  while (queue.length > 0) {
    const [i, j] = queue.shift()!;
    if (i === lenA && j === lenB) return true;
    const moves = movesAt(i, j);
    if (moves.skipA) visit(i + 1, j);
    if (moves.skipB) visit(i, j + 1);
    if (moves.stepA === undefined || moves.stepB === undefined) continue;
    // Both staying would consume a unit and get nowhere: the skips already cover that state.
    if (moves.stepA === "stay" && moves.stepB === "stay") continue;
    if (!moves.compatible()) continue;
    visit(moves.stepA === "advance" ? i + 1 : i, moves.stepB === "advance" ? j + 1 : j);
  }
  return false;
}

function charsMeet(x: Token, y: Token): boolean {
  if (x.kind === "star" || y.kind === "star" || x.kind === "any" || y.kind === "any") return true;
  if (x.kind === "char" && y.kind === "char") return x.ch === y.ch;
  if (x.kind === "char" && y.kind === "class") return classHas(y, x.ch);
  if (x.kind === "class" && y.kind === "char") return classHas(x, y.ch);
  if (x.kind === "class" && y.kind === "class" && !x.negated && !y.negated) {
    return x.ranges.some(([lo, hi]) => y.ranges.some(([lo2, hi2]) => lo <= hi2 && lo2 <= hi));
  }
  return true; // a negated class against another class: assume they share a character
}

function classHas(token: Extract<Token, { kind: "class" }>, ch: string): boolean {
  const inside = token.ranges.some(([lo, hi]) => lo <= ch && ch <= hi);
  return inside !== token.negated;
}
