import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The built-in scripted agent, shipped inside the package (dist/agents/scripted-agent.js). */
export const SCRIPTED_AGENT = fileURLToPath(
  new URL("../agents/scripted-agent.js", import.meta.url),
);

interface SampleTask {
  id: string;
  title: string;
  dependsOn: string[];
  labels: string[];
  /** How long the scripted agent works on it. */
  sleepMs: number;
  file: string;
}

/** Ten tasks: a diamond (setup -> models, client -> app), a chain of docs, and loose ends. */
const SAMPLE_TASKS: SampleTask[] = [
  {
    id: "setup",
    title: "Create the project skeleton",
    dependsOn: [],
    labels: ["core"],
    sleepMs: 1500,
    file: "src/index.js",
  },
  {
    id: "models",
    title: "Add the data models",
    dependsOn: ["setup"],
    labels: ["core"],
    sleepMs: 2500,
    file: "src/models.js",
  },
  {
    id: "client",
    title: "Add the HTTP client",
    dependsOn: ["setup"],
    labels: ["core"],
    sleepMs: 2000,
    file: "src/client.js",
  },
  {
    id: "app",
    title: "Wire models and client into the app",
    dependsOn: ["models", "client"],
    labels: ["core"],
    sleepMs: 2000,
    file: "src/app.js",
  },
  {
    id: "docs-intro",
    title: "Write the introduction",
    dependsOn: [],
    labels: ["docs"],
    sleepMs: 1200,
    file: "docs/intro.md",
  },
  {
    id: "docs-usage",
    title: "Write the usage guide",
    dependsOn: ["docs-intro"],
    labels: ["docs"],
    sleepMs: 1500,
    file: "docs/usage.md",
  },
  {
    id: "docs-faq",
    title: "Write the FAQ",
    dependsOn: ["docs-usage"],
    labels: ["docs"],
    sleepMs: 1000,
    file: "docs/faq.md",
  },
  {
    id: "lint",
    title: "Add a lint configuration",
    dependsOn: [],
    labels: ["tooling"],
    sleepMs: 800,
    file: ".eslintrc.json",
  },
  {
    id: "ci",
    title: "Add a CI workflow",
    dependsOn: [],
    labels: ["tooling"],
    sleepMs: 1000,
    file: "ci.yml",
  },
  {
    id: "changelog",
    title: "Start the changelog",
    dependsOn: ["app", "docs-faq"],
    labels: ["docs"],
    sleepMs: 700,
    file: "CHANGELOG.md",
  },
];

function taskFile(task: SampleTask): string {
  return `---
title: ${task.title}
depends_on: [${task.dependsOn.join(", ")}]
labels: [${task.labels.join(", ")}]
files: [${task.file}]
---
${task.title}. Put it in \`${task.file}\`.
`;
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", args, { cwd, stdio: "ignore" });
}

/**
 * Creates the demo repository: a README, ten task files, settings that run the scripted agent
 * (each task waits a little and writes its file), all committed on `main`. `worktreeDir` goes
 * into the settings as given (relative to the repository), so that a demo in a temporary folder
 * keeps its lanes in that folder too and one removal takes everything.
 */
export async function createSampleRepo(
  dir: string,
  speed = 1,
  options: { worktreeDir?: string } = {},
): Promise<void> {
  await mkdir(path.join(dir, ".lanes", "tasks"), { recursive: true });
  await writeFile(
    path.join(dir, "README.md"),
    "# lanes demo\n\nA sample project that lanes' scripted agent builds.\n",
  );
  const script: Record<string, { sleepMs: number; files: Record<string, string> }> = {};
  for (const task of SAMPLE_TASKS) {
    await writeFile(path.join(dir, ".lanes", "tasks", `${task.id}.md`), taskFile(task));
    script[task.id] = {
      sleepMs: Math.round(task.sleepMs * speed),
      files: { [task.file]: `// ${task.title}\n` },
    };
  }
  await writeFile(
    path.join(dir, ".lanes", "demo-script.json"),
    `${JSON.stringify(script, null, 2)}\n`,
  );
  const settings = {
    concurrency: 3,
    agent: {
      command: [process.execPath, SCRIPTED_AGENT],
      env: { LANES_SCRIPT_PLAN: path.join(dir, ".lanes", "demo-script.json") },
    },
    timeout: "2m",
    // A demo runs once: a worktree pool would only leave worktrees beside a kept demo.
    pool: { size: 0 },
    ...(options.worktreeDir ? { worktreeDir: options.worktreeDir } : {}),
  };
  await writeFile(
    path.join(dir, ".lanes", "settings.json"),
    `${JSON.stringify(settings, null, 2)}\n`,
  );
  git(dir, "init", "--quiet", "--initial-branch=main");
  git(dir, "config", "user.name", "lanes demo");
  git(dir, "config", "user.email", "demo@lanes.invalid");
  git(dir, "add", "-A");
  git(dir, "commit", "--quiet", "-m", "Sample project with ten lanes tasks");
}
