/**
 * The prompt an agent gets on stdin for each phase: the built-in template of the phase, or the
 * repository's `.lanes/prompts/<phase>.md`, filled with the task's title and body verbatim and
 * with what the quality loop carries between phases (the plan, review findings, the diff, the
 * failing tests, a conflict's two sides). A template is checked before anything starts.
 */
import { lstat, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { LanesError } from "../errors.js";
import { isInside } from "../lane/inside.js";
import { describeSide, type ResolveInputs } from "../quality/resolve-inputs.js";
import {
  DEFAULT_QA_TEMPLATE,
  DEFAULT_RESOLVE_TEMPLATE,
  DEFAULT_SPEC_TEMPLATE,
} from "../quality/templates.js";
import type { Task } from "../tasks/task.js";

export const PROMPT_TEMPLATE_DIR = path.join(".lanes", "prompts");

export type PromptPhase = "spec" | "exec" | "qa" | "resolve";

export interface PromptContext {
  task: Task;
  /** The verify command, when one gates the task. */
  verify: string | undefined;
  /** Why the previous attempt failed, on a retry. */
  previousFailure?: string;
  /** Which phase the prompt is for (default exec). */
  phase?: PromptPhase;
  /** The spec phase's plan, for exec and qa. */
  plan?: string;
  /** The qa findings the work is sent back with. */
  findings?: readonly string[];
  /** The lane's diff, for qa. */
  diff?: string;
  /** The failing tests of the previous verify (see quality/test-output), for exec. */
  verifyOutput?: string;
  /** The conflict to resolve, for resolve. */
  resolve?: ResolveInputs;
}

/** Every placeholder a template may use; each is empty when the phase has nothing for it. */
export const PLACEHOLDERS = [
  "id",
  "title",
  "body",
  "files",
  "verify",
  "plan",
  "findings",
  "diff",
  "verify_output",
  "criteria",
  "criteria_note",
  "conflicted_files",
  "lane_side",
  "incoming_side",
] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

/** What a template of each phase must keep, or the agent works blind. */
const REQUIRED: Record<PromptPhase, Placeholder[]> = {
  spec: ["title", "body"],
  exec: ["title", "body"],
  qa: ["title", "body"],
  resolve: ["conflicted_files"],
};

// Feedback an exec template must not lose: appended when a user template leaves it out.
const EXEC_FEEDBACK: Placeholder[] = ["plan", "findings", "verify_output"];

const DEFAULT_EXEC_TEMPLATE = `You are working on task {{id}} in a git worktree of this repository, on its own branch.

# {{title}}

{{body}}

{{files}}{{plan}}{{findings}}{{verify_output}}## How this work is judged
- Change the files this task needs, in this working directory only; you may commit, and lanes commits whatever you leave uncommitted.
- An attempt that changes nothing fails.
{{verify}}- Your branch is then merged with the other tasks' work; keep changes focused on this task to avoid conflicts.
`;

const DEFAULTS: Record<PromptPhase, string> = {
  spec: DEFAULT_SPEC_TEMPLATE,
  exec: DEFAULT_EXEC_TEMPLATE,
  qa: DEFAULT_QA_TEMPLATE,
  resolve: DEFAULT_RESOLVE_TEMPLATE,
};

export function defaultTemplate(phase: PromptPhase): string {
  return DEFAULTS[phase];
}

/** Placeholders, each replaced in one pass so that task text is never itself expanded. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * A user template (`.lanes/prompts/<phase>.md`) must keep what its phase needs (the task's title
 * and body; a resolve's conflicted files) and use no placeholder lanes does not fill.
 */
export function checkTemplate(template: string, file: string, phase: PromptPhase = "exec"): void {
  for (const match of template.matchAll(/\{\{([^{}]*)\}\}/g)) {
    const name = match[1]!;
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      const line = template.slice(0, match.index).split("\n").length;
      throw new LanesError("E_PROMPT", `${file}:${line}: unknown placeholder {{${name}}}`, {
        hint: `placeholders are ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}`,
      });
    }
  }
  for (const required of REQUIRED[phase]) {
    if (!template.includes(`{{${required}}}`)) {
      const what = required === "conflicted_files" ? "conflicted files" : `task's ${required}`;
      throw new LanesError(
        "E_PROMPT",
        `${file}: the template drops the ${what} ({{${required}}} is missing)`,
        {
          hint:
            phase === "resolve"
              ? "keep {{conflicted_files}} in the template; {{lane_side}} and {{incoming_side}} show both sides"
              : "keep {{title}} and {{body}} in the template; {{id}} and {{files}} are optional",
        },
      );
    }
  }
}

function templateError(shown: string, why: string, hint: string): LanesError {
  const joined = why.startsWith("is ") ? `${shown} ${why}` : `${shown}: ${why}`;
  return new LanesError("E_PROMPT", joined, { hint });
}

/**
 * Reads `.lanes/prompts/<phase>.md` if the repository has one; checks it before anything starts.
 * Only a file of the repository is read: a folder, a link that leads nowhere or out of the
 * repository (through the file or its folder), or text that is not UTF-8 is refused, naming it.
 */
export async function loadPromptTemplate(
  repoRoot: string,
  phase: PromptPhase | string,
): Promise<string | undefined> {
  const file = path.join(repoRoot, PROMPT_TEMPLATE_DIR, `${phase}.md`);
  const shown = path.relative(repoRoot, file);
  try {
    await lstat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw templateError(shown, `cannot be read (${code})`, "make the template readable");
  }
  let real: string;
  try {
    real = await realpath(file);
  } catch {
    throw templateError(
      shown,
      "the link leads nowhere (its target does not exist)",
      "remove the link, or put the template itself in .lanes/prompts",
    );
  }
  const realRoot = await realpath(repoRoot);
  if (!isInside(realRoot, real)) {
    throw templateError(
      shown,
      `the link leads outside the repository, to ${real}`,
      "keep the template inside the repository (copy the file in instead of linking it)",
    );
  }
  if (!(await stat(real)).isFile()) {
    throw templateError(
      shown,
      "is a folder, where a prompt template was expected",
      `rename or remove the folder; a template is a Markdown file such as .lanes/prompts/${phase}.md`,
    );
  }
  let template: string;
  try {
    template = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      await readFile(real),
    );
  } catch (error) {
    if (error instanceof TypeError) {
      throw templateError(shown, "is not valid UTF-8 text", "save the template as UTF-8");
    }
    throw templateError(
      shown,
      `cannot be read (${(error as NodeJS.ErrnoException).code})`,
      "make the template readable",
    );
  }
  checkTemplate(template, shown, phase as PromptPhase);
  return template;
}

/** Every phase's override the repository has, read and checked up front. */
export async function loadPromptTemplates(
  repoRoot: string,
  phases: readonly PromptPhase[],
): Promise<Partial<Record<PromptPhase, string>>> {
  const templates: Partial<Record<PromptPhase, string>> = {};
  for (const phase of phases) {
    const template = await loadPromptTemplate(repoRoot, phase);
    if (template !== undefined) templates[phase] = template;
  }
  return templates;
}

/** The prompt an agent gets on stdin: the task's title and body verbatim, and the ground rules. */
export function buildPrompt(context: PromptContext, template?: string): string {
  const phase = context.phase ?? "exec";
  const chosen = template ?? DEFAULTS[phase];
  const values = placeholderValues(context);
  let prompt = fill(chosen, values);
  if (phase === "exec") {
    for (const name of EXEC_FEEDBACK) {
      if (values[name] && !chosen.includes(`{{${name}}}`)) prompt += `\n${values[name]}`;
    }
  }
  if (context.previousFailure) {
    prompt += `\n## The previous attempt failed\n${context.previousFailure}\nFix that and finish the task.\n`;
  }
  return prompt;
}

function placeholderValues(context: PromptContext): Record<Placeholder, string> {
  const { task } = context;
  const criteria = acceptanceCriteria(task.body);
  return {
    id: task.id,
    title: task.title,
    body: task.body,
    files:
      task.files.length > 0
        ? `## Files this task is expected to touch\n${task.files.map((file) => `- ${file}`).join("\n")}\n\n`
        : "",
    verify: context.verify
      ? `- Before it is merged, lanes runs \`${context.verify}\` in your worktree; it must pass.\n`
      : "",
    plan: context.plan?.trim()
      ? `## The plan\nThis plan was written for the task before the work began; follow it unless it is wrong.\n\n${context.plan.trim()}\n\n`
      : "",
    findings:
      context.findings && context.findings.length > 0
        ? `## Review findings to fix\nA review of the previous attempt found these problems; fix every one:\n${context.findings.map((f) => `- ${f}`).join("\n")}\n\n`
        : "",
    diff:
      context.diff === undefined
        ? ""
        : context.diff.trim() === ""
          ? "## The change to review\n(the lane changes no file)\n\n"
          : `## The change to review\n${fenced(context.diff.trimEnd(), "diff")}\n\n`,
    verify_output: context.verifyOutput?.trim()
      ? `## The tests failed\n${context.verify ? `\`${context.verify}\`` : "verify"} failed after the previous attempt. The failing tests, from its output:\n${fenced(context.verifyOutput.trimEnd())}\n\n`
      : "",
    criteria: criteria.length > 0 ? `## Acceptance criteria\n${criteria.join("\n")}\n\n` : "",
    criteria_note: criteria.length > 0 ? ", and is every acceptance criterion met" : "",
    conflicted_files: context.resolve
      ? `${context.resolve.files.map((file) => `- ${file}`).join("\n")}\n`
      : "",
    lane_side: context.resolve ? describeSide(context.resolve.lane) : "",
    incoming_side: context.resolve ? describeSide(context.resolve.incoming) : "",
  };
}

/** The body's checklist (`- [ ] ...`), which a review reads as the acceptance criteria. */
export function acceptanceCriteria(body: string): string[] {
  return body
    .split("\n")
    .filter((line) => /^\s*[-*+] \[[ xX]\] \S/.test(line))
    .map((line) => line.trim());
}

/** A code fence longer than any backtick run inside, so test output cannot close it early. */
function fenced(text: string, language = ""): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}
