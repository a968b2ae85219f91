/** Shared by the agent process tests: temp folders, liveness checks, and cleanup of stray groups. */
import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach } from "vitest";
import { isProcessGroupAlive, killProcessGroup } from "../../src/agents/process.js";

export const FIXTURES = resolve(import.meta.dirname, "../fixtures/process");
export const NODE = process.execPath;

const dirs: string[] = [];
const groups = new Set<number>();

/** A fresh temp folder, removed after the test. */
export function tempDir(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "lanes-proc-")));
  dirs.push(dir);
  return dir;
}

/** Remembers a group so that a failing test still leaves nothing running. */
export function track(pgid: number): void {
  groups.add(pgid);
}

afterEach(async () => {
  for (const pgid of groups) await killProcessGroup(pgid, 0);
  groups.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Whether a process runs. Not `process.kill(pid, 0)` alone: where PID 1 does not reap orphans
 * (containers), a killed orphan stays a zombie and still answers signal 0.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return true;
  }
}

export function groupAlive(pgid: number): boolean {
  return isProcessGroupAlive(pgid);
}

/** The pid a fixture printed as "child <pid>". */
export function childPid(lines: string[]): number {
  const line = lines.find((l) => l.startsWith("child "));
  if (line === undefined) throw new Error(`no "child <pid>" line in ${JSON.stringify(lines)}`);
  return Number(line.slice("child ".length));
}
