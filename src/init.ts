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

/** The JSON Schema of the settings, shipped with lanes at the package's root. */
const PACKAGED_SCHEMA = fileURLToPath(new URL("../settings.schema.json", import.meta.url));

/**
 * Editors find the schema through `$schema`. A path into this machine's lanes install would be
 * committed and break for everyone else, so the project gets its own copy next to the settings
 * and a relative `$schema` that works wherever the repository is cloned.
 */
const SCHEMA_FILE = "settings.schema.json";
const SCHEMA_REFERENCE = `./${SCHEMA_FILE}`;

async function writeIfMissing(file: string, content: string): Promise<boolean> {
  if (existsSync(file)) return false;
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content, { flag: "wx" });
  return true;
}

/** The ignore rule that keeps run state, events and logs out of git. */
const RUNS_IGNORE = "runs/\n";

/**
 * `lanes init`: settings with `$schema` and the schema beside them, one example task (only when
 * there are no tasks yet), and `.lanes/.gitignore`. Existing files are left as they are, so running it twice changes nothing.
 */
export async function initProject(cwd: string): Promise<{ lines: string[] }> {
  const repoRoot = await findRepoRoot(cwd);
  const lines: string[] = [];
  const report = (created: boolean, file: string) =>
    lines.push(`${created ? "created" : "exists, unchanged"}  ${path.relative(repoRoot, file)}`);

  const settingsFile = path.join(repoRoot, PROJECT_SETTINGS);
  const settings = {
    $schema: SCHEMA_REFERENCE,
    concurrency: 3,
    agent: "claude",
    timeout: "30m",
  };
  report(
    await writeIfMissing(settingsFile, `${JSON.stringify(settings, null, 2)}\n`),
    settingsFile,
  );

  // Kept in step with the installed lanes: a newer lanes brings new keys.
  const schemaFile = path.join(path.dirname(settingsFile), SCHEMA_FILE);
  const schema = await readFile(PACKAGED_SCHEMA, "utf8");
  const current = existsSync(schemaFile) ? await readFile(schemaFile, "utf8") : undefined;
  if (current === undefined) report(await writeIfMissing(schemaFile, schema), schemaFile);
  else if (current !== schema) {
    await writeFile(schemaFile, schema);
    lines.push(`updated  ${path.relative(repoRoot, schemaFile)} (this version of lanes)`);
  } else report(false, schemaFile);

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
