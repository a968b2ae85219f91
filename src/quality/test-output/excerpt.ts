/**
 * A failed verify's output cut down to what a person would read: the failing-test blocks where a
 * runner's format is recognised, else any assertion messages, else the last lines. This is what
 * reaches the next attempt's prompt as {{verify_output}} and the summary as the reason, so it is
 * free of colour codes and bounded in size whatever the test suite printed.
 */
import { stripAnsi } from "../../report/text.js";
import { type Block, trimBlock } from "./blocks.js";
import { assertions, FORMAT_RECOGNISERS } from "./recognisers.js";

export interface ExcerptLimits {
  /** Lines of the whole excerpt (default 200). */
  maxLines?: number;
  /** Characters of the whole excerpt (default 16 000). */
  maxChars?: number;
  /** Lines of one failing block (default 60). */
  blockLines?: number;
  /** Lines kept when no failure is recognised (default 150). */
  tailLines?: number;
  /** Longer lines are cut (default 400 characters). */
  lineChars?: number;
}

export interface FailureExcerpt {
  text: string;
  /** How it was found: the formats recognised, `assertion`, or `tail` for the last lines. */
  formats: string[];
  /** Something of the recognised failures, or of the tail, was left out to keep it bounded. */
  truncated: boolean;
}

const DEFAULTS: Required<ExcerptLimits> = {
  maxLines: 200,
  maxChars: 16_000,
  blockLines: 60,
  tailLines: 150,
  lineChars: 400,
};

// Stack frames inside Node itself tell the agent nothing about its own code.
const RUNTIME_FRAME =
  /^\s*(?:at\s+)?(?:async\s+)?(?:[\w.<>[\] ]*\(?node:(?:internal\/|async_hooks)|Promise\.all \(index \d+\)$)/;

export function failingTestExcerpt(output: string, limits: ExcerptLimits = {}): FailureExcerpt {
  const limit = { ...DEFAULTS, ...limits };
  const lines = stripAnsi(output)
    .replace(/\r\n/g, "\n")
    .split("\n")
    // A progress bar redrawn with \r shows what a terminal would: its last state.
    .map((line) => line.slice(line.lastIndexOf("\r") + 1))
    .map((line) => (line.length > limit.lineChars ? `${line.slice(0, limit.lineChars)}…` : line));
  let blocks = FORMAT_RECOGNISERS.flatMap((recognise) => recognise(lines));
  if (blocks.length === 0) blocks = assertions(lines);
  blocks = merge(blocks.map((block) => trimBlock(lines, block)).filter((b) => b.end > b.start));
  if (blocks.length === 0) return tail(lines, limit);
  return render(lines, blocks, limit);
}

/** Sorted, with overlapping blocks made one; blocks that only touch stay apart. */
function merge(blocks: Block[]): Block[] {
  const sorted = [...blocks].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Block[] = [];
  for (const block of sorted) {
    const last = merged.at(-1);
    if (last && block.start < last.end) {
      last.end = Math.max(last.end, block.end);
      if (!last.format.split("+").includes(block.format)) last.format += `+${block.format}`;
    } else merged.push({ ...block });
  }
  return merged;
}

function render(lines: string[], blocks: Block[], limit: Required<ExcerptLimits>): FailureExcerpt {
  const out: string[] = [];
  const seen = new Set<string>();
  const formats = new Set<string>();
  let used = 0;
  let lastEnd = -1;
  let truncated = false;
  for (const [index, block] of blocks.entries()) {
    let body = lines.slice(block.start, block.end).filter((line) => !RUNTIME_FRAME.test(line));
    const key = dedent(body).join("\n");
    if (seen.has(key)) continue; // runners that repeat their failures in a closing summary
    seen.add(key);
    let cut = body.length > limit.blockLines ? body.length - limit.blockLines : 0;
    body = body.slice(0, body.length - cut);
    // Blocks that follow each other in the output (pytest's FAILED lines) stay together.
    const separator = out.length > 0 && block.start > lastEnd ? [""] : [];
    // Fit what the budget leaves; a block cut to nothing is left out with the rest.
    const room = limit.maxLines - out.length - separator.length - 2;
    let chars = used + separator.length;
    let fits = 0;
    while (
      fits < body.length &&
      fits < room &&
      chars + body[fits]!.length + 1 <= limit.maxChars - 100
    ) {
      chars += body[fits]!.length + 1;
      fits++;
    }
    if (fits === 0) {
      const left = blocks.length - index;
      out.push("", `[… ${left} more failing ${left === 1 ? "block" : "blocks"} left out]`);
      truncated = true;
      break;
    }
    cut += body.length - fits;
    out.push(...separator, ...body.slice(0, fits));
    if (cut > 0) {
      out.push(`[… ${cut} more lines of this failure]`);
      truncated = true;
    }
    used = chars;
    lastEnd = block.end;
    for (const format of block.format.split("+")) formats.add(format);
  }
  return { text: out.join("\n"), formats: [...formats], truncated };
}

function tail(lines: string[], limit: Required<ExcerptLimits>): FailureExcerpt {
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === "") end--;
  const start = Math.max(0, end - limit.tailLines);
  let kept = lines.slice(start, end);
  let chars = kept.reduce((sum, line) => sum + line.length + 1, 0);
  while (chars > limit.maxChars && kept.length > 1) {
    chars -= kept[0]!.length + 1;
    kept = kept.slice(1);
  }
  return { text: kept.join("\n"), formats: ["tail"], truncated: end - kept.length > 0 };
}

function dedent(lines: string[]): string[] {
  const indents = lines.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length);
  const least = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(least).replace(/\(\d+(?:\.\d+)?m?s\)/g, ""));
}

// Lines of a failing block that say nothing on their own in a summary.
const NOISE =
  /^\s*(?:-{3}\s*$|\.{3}\s*$|duration_ms:|location:|failureType:|code:|type:|stack:|\[…|_+ .* _+$|\s*\d+\s*\||\s*\|)/;

/** The first few telling lines of an excerpt: the reason shown in the summary and in status. */
export function failureHeadline(excerpt: FailureExcerpt, maxLines = 4): string {
  const lines = excerpt.text.split("\n").filter((line) => line.trim() !== "");
  const telling = excerpt.formats.includes("tail")
    ? lines.slice(-maxLines)
    : lines.filter((line) => !NOISE.test(line));
  return telling
    .slice(0, maxLines)
    .map((line) => line.trim())
    .join("\n");
}
