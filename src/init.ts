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

/** One file or folder `init()` looked at, and what it did with it. */
export interface InitEntry {
  /** Relative to the repository root; a folder ends with `/`. */
  path: string;
  outcome: "created" | "updated" | "unchanged";
  /** Why an existing file was updated. */
  note?: string;
}

export interface InitOptions {
  /** A directory inside the repository; defaults to the current one. */
  cwd?: string;
}

export interface InitResult {
  repoRoot: string;
  /** In the order they were handled: settings, the ignore file, the tasks. */
  entries: InitEntry[];
}

/**
 * `lanes init`: settings with `$schema` and the schema beside them, one example task (only when
 * there are no tasks yet), and `.lanes/.gitignore`. Existing files are left as they are, so running it twice changes nothing.
 */
export async function init(options: InitOptions = {}): Promise<InitResult> {
  const repoRoot = await findRepoRoot(options.cwd ?? process.cwd());
  const entries: InitEntry[] = [];
  const report = (created: boolean, file: string) =>
    entries.push({
      path: path.relative(repoRoot, file),
      outcome: created ? "created" : "unchanged",
    });

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
    entries.push({
      path: path.relative(repoRoot, schemaFile),
      outcome: "updated",
      note: "this version of lanes",
    });
  } else report(false, schemaFile);

  const ignoreFile = path.join(repoRoot, ".lanes", ".gitignore");
  const ignore = existsSync(ignoreFile) ? await readFile(ignoreFile, "utf8") : undefined;
  if (ignore === undefined) report(await writeIfMissing(ignoreFile, RUNS_IGNORE), ignoreFile);
  else if (!ignore.split(/\r?\n/).includes("runs/")) {
    await writeFile(ignoreFile, `${ignore.replace(/\n?$/, "\n")}${RUNS_IGNORE}`);
    entries.push({
      path: path.relative(repoRoot, ignoreFile),
      outcome: "updated",
      note: "ignores runs/",
    });
  } else report(false, ignoreFile);

  const tasksDir = path.join(repoRoot, TASKS_DIR);
  const hasTasks = existsSync(tasksDir);
  if (!hasTasks)
    report(
      await writeIfMissing(path.join(tasksDir, "example.md"), EXAMPLE_TASK),
      path.join(tasksDir, "example.md"),
    );
  else entries.push({ path: `${path.relative(repoRoot, tasksDir)}/`, outcome: "unchanged" });
  return { repoRoot, entries };
}
