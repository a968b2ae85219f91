/**
 * A qa phase's verdict: the JSON file at `$LANES_VERDICT_FILE` when the agent wrote one, else the
 * last line `VERDICT: READY | NEEDS_WORK | BLOCKED` of its final message with the findings above
 * it. Anything else is "no verdict", which the loop treats as a failed qa, never as a pass.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { stripAnsi } from "../report/text.js";

export const VERDICTS = ["ready", "needs_work", "blocked"] as const;
export type Verdict = (typeof VERDICTS)[number];

export const VerdictFileSchema = z.strictObject({
  verdict: z.enum(VERDICTS),
  findings: z.array(z.string()).default([]),
});

export type VerdictResult =
  | { kind: "verdict"; verdict: Verdict; findings: string[]; source: "file" | "message" }
  /** A verdict file that exists but is not the contract's JSON: a qa failure that names it. */
  | { kind: "invalid"; file: string; problem: string; message: string }
  | { kind: "none"; message: string };

export interface VerdictSources {
  /** `$LANES_VERDICT_FILE`; it may not exist. */
  file?: string;
  /** The agent's final message, when its preset reports one. */
  finalMessage?: string | undefined;
}

/** The file wins: an agent that wrote one meant it, even if its message also ends in a line. */
export async function readVerdict(sources: VerdictSources): Promise<VerdictResult> {
  if (sources.file !== undefined) {
    const fromFile = await readVerdictFile(sources.file);
    if (fromFile !== undefined) return fromFile;
  }
  if (sources.finalMessage !== undefined) {
    const fromLine = parseVerdictMessage(sources.finalMessage);
    if (fromLine) return fromLine;
  }
  const where = [
    sources.file === undefined ? undefined : `no verdict file at ${sources.file}`,
    sources.finalMessage === undefined
      ? "no final message"
      : "the final message does not end in a line VERDICT: READY, VERDICT: NEEDS_WORK or VERDICT: BLOCKED",
  ].filter(Boolean);
  return { kind: "none", message: `qa gave no verdict: ${where.join("; ")}` };
}

/** Undefined when there is no file; a file that cannot be read or parsed is `invalid`. */
export async function readVerdictFile(file: string): Promise<VerdictResult | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    return invalid(file, `it cannot be read (${code ?? (error as Error).message})`);
  }
  return parseVerdictFile(text, file);
}

export function parseVerdictFile(text: string, file: string): VerdictResult {
  if (text.trim() === "") return invalid(file, "it is empty");
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return invalid(file, `it is not JSON (${(error as Error).message})`);
  }
  const parsed = VerdictFileSchema.safeParse(data);
  if (!parsed.success) {
    const problem = parsed.error.issues
      .map((issue) => {
        const key = issue.path.length > 0 ? issue.path.join(".") : "the file";
        if (issue.path[0] === "verdict") {
          const given = (data as Record<string, unknown>).verdict;
          if (given === undefined) return "verdict is missing";
          return `verdict must be "ready", "needs_work" or "blocked", got ${JSON.stringify(given)}`;
        }
        return `${key}: ${issue.message}`;
      })
      .join("; ");
    return invalid(file, problem);
  }
  return {
    kind: "verdict",
    verdict: parsed.data.verdict,
    findings: parsed.data.findings.map((finding) => finding.trim()).filter(Boolean),
    source: "file",
  };
}

function invalid(file: string, problem: string): VerdictResult {
  return {
    kind: "invalid",
    file,
    problem,
    message: `qa verdict file ${file} is not valid: ${problem} (expected {"verdict": "ready" | "needs_work" | "blocked", "findings": ["..."]})`,
  };
}

// Tolerates the decorations models add (bold, backticks, a heading mark, a full stop) but not
// prose: "the verdict is ready" is not a verdict.
const VERDICT_LINE =
  /^\s*(?:#{1,6}\s*)?[*_`]*\s*VERDICT\s*[:=]\s*[*_`]*\s*(READY|NEEDS[_ -]WORK|BLOCKED)\s*[*_`]*\s*\.?\s*$/i;
// Lines after the verdict that change nothing: a closing code fence, a horizontal rule.
const TRAILER = /^\s*(?:```+|~~~+|-{3,}|\*{3,})?\s*$/;

/** The line form; undefined when the message does not end in a verdict line. */
export function parseVerdictMessage(message: string): VerdictResult | undefined {
  const lines = stripAnsi(message).replace(/\r\n?/g, "\n").split("\n");
  let last = lines.length - 1;
  while (last >= 0 && TRAILER.test(lines[last]!)) last--;
  if (last < 0) return undefined;
  const match = VERDICT_LINE.exec(lines[last]!);
  if (!match) return undefined;
  const word = match[1]!.toUpperCase().replace(/[ -]/, "_");
  const verdict: Verdict =
    word === "READY" ? "ready" : word === "BLOCKED" ? "blocked" : "needs_work";
  return {
    kind: "verdict",
    verdict,
    findings: findingsAbove(lines.slice(0, last)),
    source: "message",
  };
}

const BULLET = /^(\s*)(?:[-*+•]|\d{1,3}[.)])\s+(.*)$/;
const HEADING = /^\s*(?:#{1,6}\s+.*|[^.!?]{0,60}:\s*)$/;
const FENCE = /^\s*(?:```|~~~)/;

/**
 * The findings above the verdict line: its bullets (with their continuation lines) when it has
 * any, else its paragraphs; headings such as "Findings:" are labels, not findings.
 */
export function findingsAbove(lines: string[]): string[] {
  const body = lines.filter((line) => !FENCE.test(line));
  const bullets: string[] = [];
  let current: string[] | undefined;
  let bulletIndent = 0;
  for (const line of body) {
    const bullet = BULLET.exec(line);
    if (bullet && (current === undefined || bullet[1]!.length <= bulletIndent)) {
      if (current) bullets.push(current.join(" "));
      current = [bullet[2]!.trim()];
      bulletIndent = bullet[1]!.length;
    } else if (current && line.trim() !== "" && /^\s/.test(line)) {
      current.push(line.trim().replace(BULLET, "$2"));
    } else if (current && line.trim() !== "" && bullet) {
      current.push(bullet[2]!.trim());
    } else if (current) {
      bullets.push(current.join(" "));
      current = undefined;
    }
  }
  if (current) bullets.push(current.join(" "));
  if (bullets.length > 0) return bullets.filter(Boolean);
  const paragraphs: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    const text = paragraph.join(" ").trim();
    if (text && !(paragraph.length === 1 && HEADING.test(paragraph[0]!))) paragraphs.push(text);
    paragraph = [];
  };
  for (const line of body) {
    if (line.trim() === "") flush();
    else paragraph.push(line.trim());
  }
  flush();
  return paragraphs;
}
