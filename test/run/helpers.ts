import { existsSync, readdirSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach } from "vitest";
import type { Step } from "../../src/agents/scripted-agent.js";
import type { LanesEvent } from "../../src/index.js";
import type { RunState } from "../../src/state/run-state.js";
import { isAlive } from "../agents/helpers.js";
import { killStartedClis, PROJECT_ROOT, type TempRepo, tempRepo } from "../helpers/cli.js";

export { isAlive };
export const SCRIPTED_AGENT = path.join(PROJECT_ROOT, "dist", "agents", "scripted-agent.js");
export const TREE_AGENT = path.join(import.meta.dirname, "fixtures", "tree-agent.mjs");
export const DIST_INDEX = path.join(PROJECT_ROOT, "dist", "index.js");

export type { Step } from "../../src/agents/scripted-agent.js";

export interface TaskSpec {
  deps?: string[];
  title?: string;
  body?: string;
}

export interface RunRepo extends TempRepo {
  /** The agent's starts file: one `<task> <attempt> <pid> [child]` line per start. */
  startsFile: string;
  planFile: string;
}

export interface RunRepoOptions {
  tasks: Record<string, TaskSpec>;
  /** The scripted agent's plan; `"*"` applies to every task without its own step. */
  plan?: Record<string, Step>;
  /** More settings (concurrency, gracePeriod, ...); `agent` replaces the scripted agent. */
  settings?: Record<string, unknown>;
  /** Run the fixture agent that spawns a child and hangs, instead of the scripted agent. */
  treeAgent?: { stubborn?: "child" | "both" };
  /** More files in the initial commit. */
  files?: Record<string, string>;
}

export function taskFile(id: string, spec: TaskSpec): string {
  const deps = spec.deps?.length ? `depends_on: [${spec.deps.join(", ")}]\n` : "";
  return `---\ntitle: ${spec.title ?? `Task ${id}`}\n${deps}---\n${spec.body ?? `Do ${id}.`}\n`;
}

const repos: TempRepo[] = [];

afterEach(async () => {
  // A failing test must leave nothing behind: lanes itself, then every agent it started.
  killStartedClis();
  for (const repo of repos.splice(0)) {
    const starts = path.join(repo.dir, "starts.txt");
    for (const start of readStarts(starts)) {
      for (const pid of [start.pid, start.child]) {
        if (pid !== undefined && isAlive(pid)) {
          try {
            process.kill(-pid, "SIGKILL");
          } catch {
            process.kill(pid, "SIGKILL");
          }
        }
      }
    }
    await repo.cleanup();
  }
});

/**
 * `<tmp>/repo` with the tasks, `.lanes/settings.json` and `files` committed on main (lanes works
 * from the committed HEAD). The plan and the starts file live in `<tmp>`, outside the checkout;
 * lanes' default worktree folder `<tmp>/.lanes-worktrees/repo` goes with the cleanup too.
 */
export async function runRepo(options: RunRepoOptions): Promise<RunRepo> {
  const files: Record<string, string> = { ...options.files };
  for (const [id, spec] of Object.entries(options.tasks)) {
    files[`.lanes/tasks/${id}.md`] = taskFile(id, spec);
  }
  // Settings name files in the temporary folder, which is only known once it exists: a
  // placeholder first, then the real settings amended into the one commit.
  files[".lanes/settings.json"] = "{}\n";
  const repo = await tempRepo(files);
  repos.push(repo);
  const startsFile = path.join(repo.dir, "starts.txt");
  const planFile = path.join(repo.dir, "plan.json");
  await writeFile(planFile, JSON.stringify(options.plan ?? {}));
  const command = options.treeAgent
    ? [process.execPath, TREE_AGENT]
    : [process.execPath, SCRIPTED_AGENT];
  const env: Record<string, string> = {
    LANES_SCRIPT_PLAN: planFile,
    LANES_SCRIPT_STARTS: startsFile,
  };
  if (options.treeAgent?.stubborn) env.TREE_AGENT_STUBBORN = options.treeAgent.stubborn;
  const settings = { agent: { command, env }, ...options.settings };
  await writeFile(
    path.join(repo.root, ".lanes", "settings.json"),
    `${JSON.stringify(settings, null, 2)}\n`,
  );
  await repo.repo.git.run(["add", "-A"]);
  await repo.repo.git.run(["commit", "--quiet", "--amend", "--no-edit"]);
  return { ...repo, startsFile, planFile };
}

export interface Start {
  task: string;
  attempt: number;
  pid: number;
  /** The fixture tree agent's child. */
  child: number | undefined;
}

export function readStarts(file: string): Start[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [task = "", attempt = "0", pid = "0", child] = line.split(" ");
      return {
        task,
        attempt: Number(attempt),
        pid: Number(pid),
        child: child === undefined ? undefined : Number(child),
      };
    });
}

/** Waits (up to `ms`) until the starts file holds at least `count` lines. */
export async function waitForStarts(file: string, count: number, ms = 15_000): Promise<Start[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const starts = readStarts(file);
    if (starts.length >= count) return starts;
    if (Date.now() > deadline) {
      throw new Error(`only ${starts.length} of ${count} agents started within ${ms} ms`);
    }
    await sleep(50);
  }
}

/** Waits (up to `ms`) until none of the pids is alive; returns the ones still alive. */
export async function waitGone(pids: number[], ms = 3_000): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await sleep(50);
  }
}

export interface RunRecords {
  id: string;
  dir: string;
  state: RunState;
  events: LanesEvent[];
}

/** The run folders under `.lanes/runs/` (none when nothing was written). */
export function runIds(root: string): string[] {
  const runs = path.join(root, ".lanes", "runs");
  if (!existsSync(runs)) return [];
  return readdirSync(runs, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** run.json and events.ndjson of the only (or the given) run. */
export async function readRun(root: string, id?: string): Promise<RunRecords> {
  const ids = runIds(root);
  const runId = id ?? ids.at(-1);
  if (runId === undefined) throw new Error(`no run under ${root}/.lanes/runs`);
  if (id === undefined && ids.length !== 1)
    throw new Error(`expected one run, found ${ids.join(", ")}`);
  const dir = path.join(root, ".lanes", "runs", runId);
  const state = JSON.parse(await readFile(path.join(dir, "run.json"), "utf8")) as RunState;
  const events = (await readFile(path.join(dir, "events.ndjson"), "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LanesEvent);
  return { id: runId, dir, state, events };
}

export type EventType = LanesEvent["type"];

/** Index of the first event of `type` for `taskId` (-1 when there is none). */
export function indexOf(events: LanesEvent[], type: EventType, taskId: string): number {
  return events.findIndex((e) => e.type === type && "taskId" in e && e.taskId === taskId);
}

/**
 * The most agents alive at once, from the event order: +1 at task_started, -1 at agent_exited.
 * The orchestrator emits both synchronously, so their order in the log is the real order.
 */
export function maxOverlap(events: LanesEvent[]): number {
  let running = 0;
  let max = 0;
  for (const event of events) {
    if (event.type === "task_started") max = Math.max(max, ++running);
    else if (event.type === "agent_exited") running--;
  }
  return max;
}

/** `git <args>` in root; stdout, trimmed. Throws on a non-zero exit. */
export async function git(repo: TempRepo, args: string[]): Promise<string> {
  return (await repo.repo.git.run(args)).stdout.trim();
}

/** The lane branches `lanes/<id>` (without integration branches `lanes/run/...`). */
export async function laneBranches(repo: TempRepo): Promise<string[]> {
  const all = await git(repo, ["for-each-ref", "--format=%(refname:short)", "refs/heads/lanes/"]);
  return all.split("\n").filter((b) => b && !b.startsWith("lanes/run/"));
}

/** Registered worktrees, without the pool's (lanes' cache of finished lanes, see src/git/pool.ts). */
export async function worktreeCount(repo: TempRepo): Promise<number> {
  const list = await git(repo, ["worktree", "list", "--porcelain"]);
  return list
    .split("\n")
    .filter((line) => line.startsWith("worktree ") && !line.includes("/.pool/")).length;
}

/** The `saw:` line of a task's lanes-out file on a revision: the lanes-out files it found. */
export async function saw(repo: TempRepo, rev: string, id: string): Promise<string[]> {
  const text = await git(repo, ["show", `${rev}:lanes-out/${id}.txt`]);
  const line = text.split("\n").find((l) => l.startsWith("saw:")) ?? "";
  return line.slice("saw:".length).trim().split(",").filter(Boolean);
}

export { type StartedCli as Spawned, startCli as spawnCli } from "../helpers/cli.js";
