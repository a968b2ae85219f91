// The shape the failing-test recognisers share: a run of lines of the output, by index, and the
// small line tests they all need (indentation, blank lines, the end of an indented block).

/** Lines [start, end) of the output, recognised as one failure by `format`. */
export interface Block {
  start: number;
  end: number;
  format: string;
}

export function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

export function isBlank(line: string | undefined): boolean {
  return line === undefined || line.trim() === "";
}

/**
 * Where the lines indented deeper than `indent` after `from` end. Blank lines belong to the block
 * only when deeper lines follow them, since test runners put blank lines inside their diffs.
 */
export function indentedEnd(lines: string[], from: number, indent: number): number {
  let end = from;
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    if (isBlank(line)) continue;
    if (indentOf(line) <= indent) break;
    end = i + 1;
  }
  return end;
}

/** The first index at or after `from` whose line `stop` accepts, or the output's end. */
export function endAt(lines: string[], from: number, stop: (line: string) => boolean): number {
  for (let i = from; i < lines.length; i++) if (stop(lines[i]!)) return i;
  return lines.length;
}

/** Without the blank lines at either end. */
export function trimBlock(lines: string[], block: Block): Block {
  let { start, end } = block;
  while (start < end && isBlank(lines[start])) start++;
  while (end > start && isBlank(lines[end - 1])) end--;
  return { ...block, start, end };
}
