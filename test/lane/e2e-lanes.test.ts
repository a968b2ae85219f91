// Lanes that are ready to work in (issue 12), end to end through the built CLI: a Node project
// with an ignored .env and node_modules, a setup command, a dev server per lane on $LANES_PORT.
import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { LanesEvent } from "../../src/index.js";
import type { RunState } from "../../src/state/run-state.js";
import { isAlive } from "../agents/helpers.js";
import { runCli, startCli, type TempRepo, tempRepo } from "../helpers/cli.js";

const LANE_AGENT = path.join(import.meta.dirname, "fixtures", "lane-agent.mjs");

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function taskText(title: string, extra = ""): string {
  return `---\ntitle: ${title}\n${extra}---\nDo ${title}.\n`;
}

interface NodeProject extends TempRepo {
  reports: string;
}

/**
 * A Node project: `.env` and `node_modules/` ignored (the slash: a symlink escapes that rule),
 * `dist/` ignored, a build script the setup runs, and `tasks` for the lane agent.
 */
async function nodeProject(
  tasks: Record<string, string>,
  lane: Record<string, unknown>,
  more: { settings?: Record<string, unknown>; agentEnv?: Record<string, string> } = {},
): Promise<NodeProject> {
  const files: Record<string, string> = {
    ".gitignore": ".env\nnode_modules/\ndist/\n",
    "package.json": `${JSON.stringify({ name: "app", private: true, scripts: { build: "node build.mjs" } })}\n`,
    "build.mjs":
      'import { mkdirSync, writeFileSync } from "node:fs";\nmkdirSync("dist", { recursive: true });\nwriteFileSync("dist/built.txt", ["built for", process.env.LANES_TASK_ID, "on", process.env.LANES_PORT].join(" "));\n',
  };
  for (const [id, text] of Object.entries(tasks)) files[`.lanes/tasks/${id}.md`] = text;
  const repo = await tempRepo(files);
  cleanups.push(repo.cleanup);
  const reports = path.join(repo.dir, "reports");
  await mkdir(reports);
  await writeFile(path.join(repo.root, ".env"), "SECRET=hunter2\n");
  await mkdir(path.join(repo.root, "node_modules", "dep"), { recursive: true });
  await writeFile(path.join(repo.root, "node_modules", "dep", "index.js"), "module.exports = 1;\n");
  await writeFile(
    path.join(repo.root, ".lanes", "settings.json"),
    JSON.stringify({
      agent: {
        command: [process.execPath, LANE_AGENT],
        env: { LANE_AGENT_REPORTS: reports, ...more.agentEnv },
      },
      timeout: "2m",
      lane,
      ...more.settings,
    }),
  );
  await repo.repo.git.run(["add", "-A"]);
  await repo.repo.git.run(["commit", "--quiet", "-m", "lanes settings"]);
  return { ...repo, reports };
}

async function readReports(dir: string): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const name of await readdir(dir)) {
    if (name.endsWith(".json"))
      out[name.slice(0, -5)] = JSON.parse(await readFile(path.join(dir, name), "utf8"));
  }
  return out;
}

async function runRecords(
  root: string,
): Promise<{ state: RunState; events: LanesEvent[]; dir: string }> {
  const runs = path.join(root, ".lanes", "runs");
  const [id] = (await readdir(runs, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  const dir = path.join(runs, id!);
  const state = JSON.parse(await readFile(path.join(dir, "run.json"), "utf8")) as RunState;
  const events = (await readFile(path.join(dir, "events.ndjson"), "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LanesEvent);
  return { state, events, dir };
}

/** Every path any commit on `ref` since main's first commit added or changed. */
async function committedPaths(repo: TempRepo, ref: string): Promise<string[]> {
  const { stdout } = await repo.repo.git.run(["log", "--format=", "--name-only", "-m", ref]);
  return [...new Set(stdout.split("\n").filter(Boolean))].sort();
}

/** Holds one port on 127.0.0.1 for the test, as another program on the machine would. */
async function holdPort(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

/** A base for this test's port blocks, away from other tests' (and from the default 4100). */
async function quietBase(): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "lanes-port-"));
  cleanups.push(() => import("node:fs/promises").then(({ rm }) => rm(dir, { recursive: true })));
  return 20_000 + (Number.parseInt(path.basename(dir).slice(-4), 36) % 400) * 100;
}

describe("a Node project's lanes", () => {
  it("each get .env and node_modules, run the setup, and bind $LANES_PORT while three others do; none of it is committed", async () => {
    const base = await quietBase();
    const ids = ["one", "two", "three", "four"];
    const repo = await nodeProject(
      Object.fromEntries(ids.map((id) => [id, taskText(`Task ${id}`)])),
      {
        copy: [".env"],
        link: ["node_modules"],
        setup: "npm run build --silent",
        teardown: 'echo "tearing down $LANES_TASK_ID on $LANES_PORT"',
        portBase: base,
      },
      { settings: { concurrency: 4 }, agentEnv: { LANE_AGENT_TOGETHER: "4" } },
    );
    // One port of the first block is taken by another program: that whole block is skipped.
    await holdPort(base + 3);

    const result = await runCli(["run"], { cwd: repo.root, timeoutMs: 120_000 });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);

    const reports = await readReports(repo.reports);
    expect(Object.keys(reports).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const report = reports[id]!;
      expect(report.env).toBe("SECRET=hunter2\n");
      expect(report.nodeModules).toBe("module.exports = 1;\n");
      expect(report.setupWrote).toBe(`built for ${id} on ${report.port}`);
      expect(report.bound).toBe("bound");
      expect(report.PORT).toBe(report.port);
      expect(Number(report.portLast) - Number(report.port)).toBe(9);
      // Every lane's server was up while the three others were.
      expect(await readFile(path.join(repo.reports, `${id}.seen`), "utf8")).toBe("4");
    }
    const firsts = ids.map((id) => Number(reports[id]!.port)).sort((a, b) => a - b);
    expect(firsts).toEqual([base + 10, base + 20, base + 30, base + 40]);

    const { state, dir } = await runRecords(repo.root);
    for (const id of ids) {
      expect(await readFile(path.join(dir, "logs", id, "setup.log"), "utf8")).toContain(
        "npm run build",
      );
      expect(await readFile(path.join(dir, "logs", id, "teardown.log"), "utf8")).toContain(
        `tearing down ${id} on ${reports[id]!.port}`,
      );
      // Released when the lane ended.
      expect(state.tasks[id]!.ports).toBeUndefined();
      // The linked folder escapes `node_modules/` (a symlink is no folder to git): left out by lanes.
      expect(state.tasks[id]!.keptOutOfCommits).toEqual(["node_modules"]);
    }
    const committed = await committedPaths(repo, state.integrationBranch);
    expect(committed).toEqual(expect.arrayContaining(ids.map((id) => `work-${id}.txt`)));
    expect(committed.filter((file) => /^(\.env|node_modules|dist)/.test(file))).toEqual([]);
  });
});

describe("lane settings checked up front", () => {
  it("refuse a tracked path in lane.copy with exit 2, naming it, before anything starts", async () => {
    const repo = await nodeProject({ one: taskText("One") }, { copy: ["package.json"] });
    for (const args of [["run"], ["run", "--dry-run"]]) {
      const result = await runCli(args, { cwd: repo.root });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("lane.copy");
      expect(result.stderr).toContain("package.json");
    }
    await expect(readdir(path.join(repo.root, ".lanes", "runs"))).rejects.toThrow();
    expect(await readdir(repo.reports)).toEqual([]);
  });
});

describe("a lane's setup", () => {
  it("that fails fails its task with reason setup and the log's last lines; its agent never starts", async () => {
    const base = await quietBase();
    const repo = await nodeProject(
      { one: taskText("One") },
      { setup: "echo preparing; echo 'cannot find python3.99' >&2; exit 3", portBase: base },
    );
    const result = await runCli(["run"], { cwd: repo.root, timeoutMs: 60_000 });
    expect(result.exitCode).toBe(1);
    const { state, events, dir } = await runRecords(repo.root);
    expect(state.tasks.one).toMatchObject({ status: "failed", reason: "setup" });
    expect(state.tasks.one!.detail).toContain("exited with code 3");
    expect(state.tasks.one!.detail).toContain("cannot find python3.99");
    expect(state.tasks.one!.setup).toBeUndefined();
    expect(events.some((event) => event.type === "task_started")).toBe(false);
    expect(events.filter((event) => event.type === "lane_setup")).toMatchObject([
      { taskId: "one", logPath: path.join(dir, "logs", "one", "setup.log") },
    ]);
    expect(result.stdout).toContain("● one: setup started");
    expect(await readFile(path.join(dir, "logs", "one", "setup.log"), "utf8")).toContain(
      "preparing",
    );
    expect(result.stdout + result.stderr).toMatch(/one failed.*setup/);
    expect(await readdir(repo.reports)).toEqual([]);
  });
});

/** Waits (generously) until `check` holds; a failing test, not a hang, if it never does. */
async function until<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe("a running lane", () => {
  it("shows its port block in lanes status, and gives it back when it ends", async () => {
    const base = await quietBase();
    const repo = await nodeProject(
      { one: taskText("One") },
      { portBase: base },
      { agentEnv: { LANE_AGENT_TOGETHER: "2" } }, // waits until the test adds a second report
    );
    const lanes = startCli(["run"], repo.root);
    await until(() => readFile(path.join(repo.reports, "one.json"), "utf8"), "the agent");
    // run.json's writes are coalesced: the record may reach the disk a moment after the agent.
    const status = await until(async () => {
      const shown = await runCli(["status"], { cwd: repo.root });
      return shown.stdout.includes(`ports ${base}-${base + 9}`) ? shown : undefined;
    }, "lanes status to show the port block");
    expect(status.stdout).toContain(`ports ${base}-${base + 9}`);
    const json = JSON.parse((await runCli(["status", "--json"], { cwd: repo.root })).stdout);
    expect(json.tasks.one.ports).toEqual({ first: base, last: base + 9 });
    await writeFile(path.join(repo.reports, "release.json"), "{}");
    expect((await lanes.exited).code).toBe(0);
    const { state } = await runRecords(repo.root);
    expect(state.tasks.one!.ports).toBeUndefined();
  });

  it("whose setup hangs is ended by Ctrl-C like an agent, recorded in run.json while it runs", async () => {
    const base = await quietBase();
    const repo = await nodeProject({ one: taskText("One") }, { portBase: base, setup: "" });
    const pidFile = path.join(repo.dir, "setup.pid");
    const settingsFile = path.join(repo.root, ".lanes", "settings.json");
    const settings = JSON.parse(await readFile(settingsFile, "utf8"));
    settings.lane.setup = ["sh", "-c", `echo $$ > '${pidFile}'; exec sleep 60`];
    await writeFile(settingsFile, JSON.stringify(settings));
    await repo.repo.git.run(["commit", "--quiet", "-am", "a setup that hangs"]);
    const lanes = startCli(["run"], repo.root);
    const pid = Number(await until(() => readFile(pidFile, "utf8"), "the setup"));
    const recorded = await until(async () => {
      const { state } = await runRecords(repo.root);
      return state.tasks.one!.setup;
    }, "run.json to record the setup");
    expect(recorded.pgid).toBe(pid);
    lanes.child.kill("SIGINT");
    expect((await lanes.exited).code).toBe(130);
    expect(isAlive(pid)).toBe(false);
    const { state } = await runRecords(repo.root);
    expect(state.tasks.one).toMatchObject({ status: "pending" });
    expect(state.tasks.one!.setup).toBeUndefined();
    expect(await readdir(repo.reports)).toEqual([]);
  });
});

describe("a setup left running by a killed run", () => {
  it("is ended by lanes resume's sweep, from run.json", async () => {
    const base = await quietBase();
    const repo = await nodeProject({ one: taskText("One") }, { portBase: base });
    const pidFile = path.join(repo.dir, "setup.pid");
    const settingsFile = path.join(repo.root, ".lanes", "settings.json");
    const settings = JSON.parse(await readFile(settingsFile, "utf8"));
    settings.lane.setup = ["sh", "-c", `echo $$ > '${pidFile}'; exec sleep 60`];
    await writeFile(settingsFile, JSON.stringify(settings));
    await repo.repo.git.run(["commit", "--quiet", "-am", "a setup that hangs"]);
    const lanes = startCli(["run"], repo.root);
    const pid = Number(await until(() => readFile(pidFile, "utf8"), "the setup"));
    await until(async () => (await runRecords(repo.root)).state.tasks.one!.setup, "run.json");
    lanes.child.kill("SIGKILL"); // lanes dies; its setup, in a group of its own, lives on
    await lanes.exited;
    expect(isAlive(pid)).toBe(true);
    const resumed = await runCli(["resume", "--abort"], { cwd: repo.root });
    expect(resumed.exitCode, resumed.stdout + resumed.stderr).not.toBe(2);
    await until(async () => (isAlive(pid) ? undefined : true), "the setup to be ended");
  });
});

/** Each task's time in flight, from its start to its finish, in the event log's order. */
function inFlight(events: LanesEvent[], id: string): [number, number] {
  const start = events.findIndex((e) => e.type === "task_started" && e.taskId === id);
  const end = events.findIndex((e) => e.type === "task_finished" && e.taskId === id);
  return [start, end];
}

describe("tasks whose files overlap", () => {
  it("are never in flight together, and lanes plan names the pair and its cost", async () => {
    const base = await quietBase();
    const repo = await nodeProject(
      {
        auth: taskText("Auth", "files: [src/auth.ts]\n"),
        login: taskText("Login", "files: [src/**]\n"),
        docs: taskText("Docs", "files: [docs/guide.md]\n"),
      },
      { portBase: base },
      { settings: { concurrency: 3 } },
    );
    const plan = await runCli(["plan"], { cwd: repo.root });
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toContain("auth <-> login  (src/auth.ts ~ src/**)");
    expect(plan.stdout).toContain("keeping them apart costs 1 task length end to end");
    const json = JSON.parse((await runCli(["plan", "--json"], { cwd: repo.root })).stdout);
    expect(json.overlap).toMatchObject({
      policy: "avoid",
      pairs: [{ a: "auth", b: "login" }],
      makespan_together: 1,
      makespan_apart: 2,
      cost: 1,
    });
    const allowed = await runCli(["plan", "--overlap", "allow"], { cwd: repo.root });
    expect(allowed.stdout).toContain('run together all the same (overlap: "allow")');

    const result = await runCli(["run"], { cwd: repo.root, timeoutMs: 60_000 });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const { events } = await runRecords(repo.root);
    const [auth, login] = [inFlight(events, "auth"), inFlight(events, "login")];
    const [first, second] = auth[0] < login[0] ? [auth, login] : [login, auth];
    expect(first[1]).toBeLessThan(second[0]);
    // The third task overlapped nothing and was not held back.
    const docs = inFlight(events, "docs");
    expect(docs[0]).toBeLessThan(first[1]);
  });

  it("seen in two running lanes' diffs are told before the merge finds the conflict", async () => {
    const base = await quietBase();
    const repo = await nodeProject(
      { left: taskText("Left"), right: taskText("Right") },
      { portBase: base },
      {
        // The early warning is under test: the conflict fails as it is, no agent resolves it.
        settings: { concurrency: 2, conflicts: "fail" },
        agentEnv: { LANE_AGENT_TOGETHER: "2", LANE_AGENT_WRITES: "shared.txt" },
      },
    );
    const result = await runCli(["run"], { cwd: repo.root, timeoutMs: 60_000 });
    expect(result.exitCode).toBe(1); // the second merge conflicts
    const { events } = await runRecords(repo.root);
    const warned = events.findIndex((e) => e.type === "files_overlap");
    expect(events[warned]).toMatchObject({ a: "left", b: "right", files: ["shared.txt"] });
    const conflict = events.findIndex((e) => e.type === "task_finished" && e.reason === "conflict");
    expect(warned).toBeGreaterThan(-1);
    expect(warned).toBeLessThan(conflict);
    expect(events.filter((e) => e.type === "files_overlap")).toHaveLength(1);
    expect(result.stdout + result.stderr).toContain(
      "left and right both changed shared.txt: the later merge may conflict",
    );
  });
});
