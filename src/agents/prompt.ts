import { readFile } from "node:fs/promises";
import path from "node:path";
import { LanesError } from "../errors.js";
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

/** Reads `.lanes/prompts/<phase>.md` if the repository has one; checks it before anything starts. */
export async function loadPromptTemplate(
  repoRoot: string,
  phase: string,
): Promise<string | undefined> {
  const file = path.join(repoRoot, PROMPT_TEMPLATE_DIR, `${phase}.md`);
  let template: string;
  try {
    template = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  checkTemplate(template, path.relative(repoRoot, file));
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
