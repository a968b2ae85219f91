/**
 * Vitest globalSetup: tests spawn real compiled programs (`node dist/agents/scripted-agent.js`,
 * `node dist/cli/main.js`), so make sure dist/ exists and is not older than src/. Runs tsc once.
 * tsc still emits when some file has type errors, so only a missing output fails the setup.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const SCRIPTED_AGENT = join(root, "dist/agents/scripted-agent.js");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

export default function setup(): void {
  const built = existsSync(SCRIPTED_AGENT) ? statSync(SCRIPTED_AGENT).mtimeMs : 0;
  if (built >= newestMtime(join(root, "src"))) return;
  try {
    execFileSync(
      process.execPath,
      [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"],
      {
        cwd: root,
        stdio: "pipe",
      },
    );
  } catch (error) {
    if (!existsSync(SCRIPTED_AGENT)) {
      const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
      throw new Error(`globalSetup: \`tsc -p tsconfig.json\` did not build dist/:\n${output}`);
    }
  }
}
