// A temporary repository whose agent is lanes' scripted agent, for end-to-end tests of the
// commands that read what runs leave behind (status, logs, clean).
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { PROJECT_ROOT, type TempRepo, tempRepo } from "./cli.js";

const SCRIPTED_AGENT = path.join(PROJECT_ROOT, "dist", "agents", "scripted-agent.js");

export function task(title: string, extra = ""): string {
  return `---\ntitle: ${title}\n${extra}---\nDo ${title}.\n`;
}

/** A repository whose agent is the scripted one, following `script` (see scripted-agent.ts). */
export async function scriptedRepo(
  tasks: Record<string, string>,
  script: Record<string, unknown>,
  settings: Record<string, unknown> = {},
): Promise<TempRepo> {
  const files: Record<string, string> = {};
  for (const [id, text] of Object.entries(tasks)) files[`.lanes/tasks/${id}.md`] = text;
  const repo = await tempRepo(files);
  const scriptFile = path.join(repo.dir, "script.json");
  await writeFile(scriptFile, JSON.stringify(script));
  await writeFile(
    path.join(repo.root, ".lanes", "settings.json"),
    JSON.stringify({
      agent: {
        command: [process.execPath, SCRIPTED_AGENT],
        env: { LANES_SCRIPT_PLAN: scriptFile },
      },
      timeout: "1m",
      ...settings,
    }),
  );
  await repo.repo.git.run(["add", "-A"]);
  await repo.repo.git.run(["commit", "--quiet", "-m", "lanes settings"]);
  return repo;
}
