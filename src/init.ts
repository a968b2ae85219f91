import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PROJECT_SETTINGS } from "./config/load.js";
import { findRepoRoot } from "./git/repo.js";
import { TASKS_DIR } from "./tasks/load.js";

const EXAMPLE_TASK = `---
title: Say hello in the README
depends_on: []
labels: [example]
# estimate: 10m
---
Add a short "Hello from lanes" section at the end of README.md.
Keep the rest of the file unchanged.
`;

/** Where editors find the settings' JSON Schema: the project's own copy of lanes if it has one. */
function schemaReference(repoRoot: string): string {
  const local = path.join(repoRoot, "node_modules", "lanes", "settings.schema.json");
  if (existsSync(local)) return "../node_modules/lanes/settings.schema.json";
  return fileURLToPath(new URL("../settings.schema.json", import.meta.url));
}

async function writeIfMissing(file: string, content: string): Promise<boolean> {
  if (existsSync(file)) return false;
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content, { flag: "wx" });
  return true;
}

/** The ignore rule that keeps run state, events and logs out of git. */
const RUNS_IGNORE = "runs/\n";

/**
 * `lanes init`: settings with `$schema`, one example task (only when there are no tasks yet),
 * and `.lanes/.gitignore`. Existing files are left as they are, so running it twice changes nothing.
 */
export async function initProject(cwd: string): Promise<{ lines: string[] }> {
  const repoRoot = await findRepoRoot(cwd);
  const lines: string[] = [];
  const report = (created: boolean, file: string) =>
    lines.push(`${created ? "created" : "exists, unchanged"}  ${path.relative(repoRoot, file)}`);

  const settingsFile = path.join(repoRoot, PROJECT_SETTINGS);
  const settings = {
    $schema: schemaReference(repoRoot),
    concurrency: 3,
    agent: "claude",
    timeout: "30m",
  };
  report(
    await writeIfMissing(settingsFile, `${JSON.stringify(settings, null, 2)}\n`),
    settingsFile,
  );

  const ignoreFile = path.join(repoRoot, ".lanes", ".gitignore");
  const ignore = existsSync(ignoreFile) ? await readFile(ignoreFile, "utf8") : undefined;
  if (ignore === undefined) report(await writeIfMissing(ignoreFile, RUNS_IGNORE), ignoreFile);
  else if (!ignore.split(/\r?\n/).includes("runs/")) {
    await writeFile(ignoreFile, `${ignore.replace(/\n?$/, "\n")}${RUNS_IGNORE}`);
    lines.push(`updated  ${path.relative(repoRoot, ignoreFile)} (ignores runs/)`);
  } else report(false, ignoreFile);

  const tasksDir = path.join(repoRoot, TASKS_DIR);
  const hasTasks = existsSync(tasksDir);
  if (!hasTasks)
    report(
      await writeIfMissing(path.join(tasksDir, "example.md"), EXAMPLE_TASK),
      path.join(tasksDir, "example.md"),
    );
  else lines.push(`exists, unchanged  ${path.relative(repoRoot, tasksDir)}/`);

  lines.push("", "Next: edit the tasks in .lanes/tasks/, then `lanes plan` and `lanes run`.");
  return { lines };
}
