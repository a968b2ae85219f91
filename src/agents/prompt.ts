import { lstat, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { LanesError } from "../errors.js";
import { isInside } from "../lane/inside.js";
import type { Task } from "../tasks/task.js";

export const PROMPT_TEMPLATE_DIR = path.join(".lanes", "prompts");

export interface PromptContext {
  task: Task;
  /** The verify command, when one gates the task. */
  verify: string | undefined;
  /** Why the previous attempt failed, on a retry. */
  previousFailure?: string;
}

const DEFAULT_EXEC_TEMPLATE = `You are working on task {{id}} in a git worktree of this repository, on its own branch.

# {{title}}

{{body}}

{{files}}
## How this work is judged
- Change the files this task needs, in this working directory only; you may commit, and lanes commits whatever you leave uncommitted.
- An attempt that changes nothing fails.
{{verify}}- Your branch is then merged with the other tasks' work; keep changes focused on this task to avoid conflicts.
`;

/** Placeholders, each replaced in one pass so that task text is never itself expanded. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/** A user template (`.lanes/prompts/<phase>.md`) must keep the task's title and body. */
export function checkTemplate(template: string, file: string): void {
  for (const required of ["title", "body"]) {
    if (!template.includes(`{{${required}}}`)) {
      throw new LanesError(
        "E_PROMPT",
        `${file}: the template drops the task's ${required} ({{${required}}} is missing)`,
        {
          hint: "keep {{title}} and {{body}} in the template; {{id}} and {{files}} are optional",
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
  phase: string,
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
  checkTemplate(template, shown);
  return template;
}

/** The prompt an agent gets on stdin: the task's title and body verbatim, and the ground rules. */
export function buildPrompt(context: PromptContext, template = DEFAULT_EXEC_TEMPLATE): string {
  const { task } = context;
  const files =
    task.files.length > 0
      ? `## Files this task is expected to touch\n${task.files.map((file) => `- ${file}`).join("\n")}\n\n`
      : "";
  const verify = context.verify
    ? `- Before it is merged, lanes runs \`${context.verify}\` in your worktree; it must pass.\n`
    : "";
  let prompt = fill(template, { id: task.id, title: task.title, body: task.body, files, verify });
  if (context.previousFailure) {
    prompt += `\n## The previous attempt failed\n${context.previousFailure}\nFix that and finish the task.\n`;
  }
  return prompt;
}
