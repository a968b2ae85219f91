import { readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "vitest";
import type { TempRepo } from "../helpers/cli.js";
import { git, type RunRepo } from "../run/helpers.js";

export const FAULT_AGENT = path.join(import.meta.dirname, "fixtures", "fault-agent.mjs");

export type FaultMode =
  | "copy-stdin"
  | "rm-worktree"
  | "switch-branch"
  | "commit-wait"
  | "bad-bytes"
  | "hang"
  | "break-task-file"
  | "fill-run-folder"
  | "fill-lane"
  | `daemon:${"setsid" | "double-fork" | "stubborn" | "env-cleared"}:${"exit0" | "exit1" | "hang"}`;

/**
 * Replaces the repository's agent with the fault agent in `mode` (plus more settings), amended
 * into the one commit as runRepo does. Its copies and starts go to the repository's temp folder.
 */
export async function useFaultAgent(
  repo: RunRepo,
  mode: FaultMode,
  settings: Record<string, unknown> = {},
): Promise<void> {
  const agent = {
    command: [process.execPath, FAULT_AGENT],
    env: { FAULT_MODE: mode, FAULT_OUT: repo.dir, LANES_SCRIPT_STARTS: repo.startsFile },
  };
  await writeFile(
    path.join(repo.root, ".lanes", "settings.json"),
    `${JSON.stringify({ agent, ...settings }, null, 2)}\n`,
  );
  await git(repo, ["add", "-A"]);
  await git(repo, ["commit", "--quiet", "--amend", "--no-edit"]);
}

/** Live processes (zombies left out) whose environment holds LANES_RUN_ID=<runId>. */
export function runProcesses(runId: string): number[] {
  const marker = Buffer.from(`LANES_RUN_ID=${runId}\0`);
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`);
      const at = environ.indexOf(marker);
      if (at === -1 || (at > 0 && environ[at - 1] !== 0)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
      if (state !== "Z" && state !== "X") found.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** Asserts that nothing of the run is alive (after a short wait for SIGKILLs to land). */
export async function expectNothingRunning(runId: string): Promise<void> {
  const deadline = Date.now() + 3_000;
  let left = runProcesses(runId);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(50);
    left = runProcesses(runId);
  }
  const described = left.map((pid) => {
    try {
      return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")}`;
    } catch {
      return String(pid);
    }
  });
  expect(described, `processes of run ${runId} still alive`).toEqual([]);
}

/**
 * `git worktree list` as paths, without the worktree pool (`<worktree folder>/.pool/*`): lanes'
 * own cache of finished lanes, kept for the next run and removed by `lanes clean`.
 */
export async function worktreePaths(repo: TempRepo): Promise<string[]> {
  const list = await git(repo as RunRepo, ["worktree", "list", "--porcelain"]);
  return list
    .split("\n")
    .filter((line) => line.startsWith("worktree "))
    .map((line) => line.slice("worktree ".length))
    .filter((wt) => !wt.includes(`${path.sep}.pool${path.sep}`));
}

export async function expectOnlyMainCheckout(repo: TempRepo): Promise<void> {
  expect(await worktreePaths(repo)).toEqual([repo.root]);
}

export { type StartedCli as Started, startCli } from "../helpers/cli.js";

/** The first line of stderr that says what is wrong, and its `hint:` line (for docs/errors.md). */
export function firstLines(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("lanes: ") || line.startsWith("hint: "));
}
