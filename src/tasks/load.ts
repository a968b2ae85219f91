import path from "node:path";
import { describeIssues } from "../config/zod-issues.js";
import { LanesError } from "../errors.js";
import { validateGraph } from "../graph/graph.js";
import { laneNameProblem, TASK_ID_PATTERN } from "../names.js";
import { findTaskFiles } from "./files.js";
import { parseFrontMatter } from "./front-matter.js";
import { estimateMs, TaskFrontMatterSchema } from "./schema.js";
import type { Task } from "./task.js";
import { readTaskText } from "./task-text.js";

export const TASKS_DIR = path.join(".lanes", "tasks");

/** Parses one task file's text. `file` is used in error messages and recorded on the task. */
export function parseTask(text: string, file: string): Task {
  const id = path.basename(file, ".md");
  if (!TASK_ID_PATTERN.test(id)) {
    // A name with quotes or control characters (a newline, say) is shown escaped, on one line.
    const name = /[\u0000-\u001f\u007f"\\]/.test(file) ? JSON.stringify(file) : file;
    throw new LanesError("E_TASK_ID", `${name}: ${JSON.stringify(id)} is not a valid task id`, {
      hint: "name task files with lower-case letters, digits, '.', '_' or '-', starting with a letter or digit, at most 64 characters (e.g. add-login.md)",
    });
  }
  // Digits alone name GitHub issues (`lanes run 12`): a task file may not take one over.
  if (/^\d+$/.test(id)) {
    throw new LanesError(
      "E_TASK_ID",
      `${file}: "${id}" cannot be a task id: ids made only of digits name GitHub issues`,
      { hint: `rename the file with a letter in its name (e.g. task-${id}.md)` },
    );
  }
  const problem = laneNameProblem(id);
  if (problem) {
    throw new LanesError("E_TASK_ID", `${file}: "${id}" cannot be a task id: ${problem}`, {
      hint: "rename the task file",
    });
  }
  const { data, body } = parseFrontMatter(text, file);
  const parsed = TaskFrontMatterSchema.safeParse(data);
  if (!parsed.success) {
    throw new LanesError("E_TASK_FIELD", `${file}: ${describeIssues(parsed.error)}`, {
      hint: "front matter keys: title (required), depends_on, labels, status, files, estimate, agent, phases",
    });
  }
  const front = parsed.data;
  const task: Task = {
    id,
    title: front.title,
    body,
    dependsOn: [...new Set(front.depends_on)],
    labels: front.labels,
    status: front.status,
    files: front.files,
    file,
  };
  const estimate = estimateMs(front.estimate);
  if (estimate !== undefined) task.estimateMs = estimate;
  if (front.agent !== undefined) task.agent = front.agent;
  if (front.phases !== undefined) task.phases = front.phases;
  return task;
}

/**
 * Reads files a few at a time. One at a time leaves the process idle between the thread pool's
 * open/stat/read/close round trips (half the time of planning 2,000 tasks); all at once could run
 * out of file descriptors.
 */
async function readAll(
  repoRoot: string,
  files: readonly string[],
  inFlight = 32,
): Promise<string[]> {
  const texts = new Array<string>(files.length);
  let next = 0;
  const reader = async () => {
    while (next < files.length) {
      const index = next++;
      texts[index] = await readTaskText(files[index]!, path.relative(repoRoot, files[index]!));
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, files.length) }, reader));
  return texts;
}

/**
 * Loads and validates every task of a repository: any bad file, duplicate id, unknown
 * dependency or cycle throws a LanesError naming the file before anything starts.
 */
export async function loadTasks(repoRoot: string): Promise<Task[]> {
  const dir = path.join(repoRoot, TASKS_DIR);
  const tasks: Task[] = [];
  const fileOf = new Map<string, string>();
  const files = await findTaskFiles(repoRoot, dir);
  const texts = await readAll(repoRoot, files);
  for (const [index, file] of files.entries()) {
    const relative = path.relative(repoRoot, file);
    const task = parseTask(texts[index]!, relative);
    const earlier = fileOf.get(task.id);
    if (earlier) {
      throw new LanesError(
        "E_TASK_DUPLICATE",
        `${relative}: duplicate task id "${task.id}" (also ${earlier})`,
        {
          hint: "task ids are file names and must be unique across .lanes/tasks; rename one file",
        },
      );
    }
    fileOf.set(task.id, relative);
    tasks.push(task);
  }
  validateGraph(tasks, (id) => fileOf.get(id) ?? id);
  return tasks;
}
