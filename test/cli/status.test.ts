// `lanes status` end to end: real runs of the scripted agent in temporary repositories, read back.
import { mkdir, readdir, rm, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type TempRepo, tempRepo } from "../helpers/cli.js";
import { scriptedRepo, task } from "../helpers/scripted-repo.js";

async function runIds(repo: TempRepo): Promise<string[]> {
  const entries = await readdir(path.join(repo.root, ".lanes", "runs"), { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

interface StatusJson {
  id: string;
  status: string;
  live: boolean;
  crashed: boolean;
  integrationBranch: string;
  order: string[];
  tasks: Record<
    string,
    { status: string; attempts: number; reason?: string; logPath?: string; branch: string }
  >;
  left: {
    pending: number;
    running: number;
    failed: number;
    skipped: number;
    tasks: string[];
    next: string[];
  };
  integration: { exists: boolean; mergedIntoHead: boolean };
}

// Verify fails for `broken` only: its work is committed on its branch, so the branch is unmerged.
const VERIFY = [
  process.execPath,
  "-e",
  "process.exit(process.env.LANES_TASK_ID === 'broken' ? 1 : 0)",
];

describe("lanes status", () => {
  let ok: TempRepo;
  let failing: TempRepo;
  let okRun: string;
  let failRun: string;

  beforeAll(async () => {
    [ok, failing] = await Promise.all([
      scriptedRepo(
        { alpha: task("Alpha"), beta: task("Beta", "depends_on: [alpha]\n") },
        { "*": { sleepMs: 50 } },
      ),
      scriptedRepo(
        {
          good: task("Good"),
          broken: task("Broken"),
          after: task("After", "depends_on: [broken]\n"),
        },
        { "*": { sleepMs: 50 } },
        { verify: VERIFY, verifyLoops: 0 },
      ),
    ]);
    const [first, second] = await Promise.all([
      runCli(["run"], { cwd: ok.root }),
      runCli(["run"], { cwd: failing.root }),
    ]);
    expect(first.exitCode, first.stderr + first.stdout).toBe(0);
    expect(second.exitCode, second.stderr + second.stdout).toBe(1);
    okRun = (await runIds(ok))[0]!;
    failRun = (await runIds(failing))[0]!;
  });
  afterAll(async () => {
    await Promise.all([ok?.cleanup(), failing?.cleanup()]);
  });

  it("shows a finished run: id, status, base, integration branch, every task and how to land it", async () => {
    const result = await runCli(["status"], { cwd: ok.root });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const out = result.stdout;
    expect(out).toContain(`Run ${okRun}: done`);
    expect(out).toMatch(/started\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(out).toMatch(/base\s+main at [0-9a-f]{7}/);
    expect(out).toContain(`lanes/run/${okRun} (not landed yet)`);
    expect(out).toMatch(/✓ alpha\s+done\s+1 attempt/);
    expect(out).toMatch(/✓ beta\s+done\s+1 attempt/);
    expect(out).toContain(`log .lanes/runs/${okRun}/logs/alpha/exec.1.log`);
    expect(out).toContain("Left: nothing (2 of 2 done)");
    expect(out).toContain(`next: git merge --ff-only lanes/run/${okRun}`);
    expect(out).not.toMatch(/\x1b\[/); // NO_COLOR
  });

  it("shows a failed run: the reason, the kept branch and log, the skipped dependent, what is left", async () => {
    const result = await runCli(["status", failRun], { cwd: failing.root });
    expect(result.exitCode).toBe(0);
    const out = result.stdout;
    expect(out).toContain(`Run ${failRun}: failed`);
    expect(out).toMatch(/✓ good\s+done/);
    expect(out).toMatch(/✗ broken\s+failed\s+1 attempt\s+\S+\s+verify — /);
    expect(out).toContain("branch lanes/broken (kept)");
    expect(out).toContain(`log .lanes/runs/${failRun}/logs/broken/exec.1.log`);
    expect(out).toMatch(/↷ after\s+skipped/);
    expect(out).toContain("Left: 1 failed, 1 skipped (1 of 3 done)");
    expect(out).toContain(`next: lanes resume ${failRun} --retry-failed`);
    expect(out).toContain(`next: git merge --ff-only lanes/run/${failRun}`);
  });

  it("--json prints one object: run.json plus live, crashed, left and integration", async () => {
    const result = await runCli(["status", "--json"], { cwd: failing.root });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("");
    const text = result.stdout.trim();
    expect(text.startsWith("{") && text.endsWith("}")).toBe(true);
    const json = JSON.parse(text) as StatusJson;
    expect(json).toMatchObject({
      id: failRun,
      status: "failed",
      live: false,
      crashed: false,
      integrationBranch: `lanes/run/${failRun}`,
      integration: { exists: true, mergedIntoHead: false },
      left: {
        pending: 0,
        running: 0,
        failed: 1,
        skipped: 1,
        tasks: ["after", "broken"],
        next: [
          `lanes resume ${failRun} --retry-failed`,
          `git merge --ff-only lanes/run/${failRun}`,
        ],
      },
    });
    expect(json.tasks.broken).toMatchObject({
      status: "failed",
      attempts: 1,
      reason: "verify",
      branch: "lanes/broken",
    });
    expect(json.tasks.good?.status).toBe("done");
    expect(json.tasks.after?.status).toBe("skipped");
  });

  it("shows a run recorded as running whose process is gone as crashed", async () => {
    const id = "20000101-000000-dead";
    const dir = path.join(ok.root, ".lanes", "runs", id);
    await mkdir(dir, { recursive: true });
    // A pid that cannot be alive (above pid_max), recorded as running.
    await writeFile(
      path.join(dir, "run.json"),
      JSON.stringify({
        version: 1,
        id,
        status: "running",
        pid: 4_999_999,
        startedAt: Date.parse("2000-01-01T00:00:00Z"),
        repoRoot: ok.root,
        baseCommit: "0000000000000000000000000000000000000000",
        baseBranch: "main",
        integrationBranch: `lanes/run/${id}`,
        worktreeRoot: path.join(ok.dir, ".lanes-worktrees", "repo"),
        options: { mode: "parallel", concurrency: 1, retries: 0, timeout: "1m", land: false },
        order: ["alpha"],
        tasks: { alpha: { status: "running", attempts: 1, branch: "lanes/alpha" } },
      }),
    );
    await ok.repo.git.run(["branch", `lanes/run/${id}`, "main"]);
    try {
      const text = await runCli(["status", id], { cwd: ok.root });
      expect(text.exitCode).toBe(0);
      expect(text.stdout).toContain(`Run ${id}: crashed (resume with lanes resume)`);
      expect(text.stdout).toMatch(/\? alpha\s+was running/);
      expect(text.stdout).toContain(`next: lanes resume ${id}`);
      const json = JSON.parse(
        (await runCli(["status", id, "--json"], { cwd: ok.root })).stdout,
      ) as StatusJson;
      expect(json).toMatchObject({ live: false, crashed: true, status: "running" });
      // The latest run is still the newest id; the old one is listed among the others.
      const latest = await runCli(["status"], { cwd: ok.root });
      expect(latest.stdout).toContain(`Run ${okRun}: done`);
      expect(latest.stdout).toContain(`Other runs: ${id} (crashed)`);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await ok.repo.git.run(["branch", "-D", `lanes/run/${id}`]);
    }
  });

  it("does not take a reused pid for the run's orchestrator", async () => {
    const id = "20000101-000000-reus";
    const dir = path.join(ok.root, ".lanes", "runs", id);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, "run.json");
    // The pid is alive (this test process), but it started long after run.json was last written.
    const then = Date.parse("2000-01-01T00:00:00Z");
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        id,
        status: "running",
        pid: process.pid,
        startedAt: then,
        repoRoot: ok.root,
        baseCommit: "0000000000000000000000000000000000000000",
        baseBranch: "main",
        integrationBranch: `lanes/run/${id}`,
        worktreeRoot: path.join(ok.dir, ".lanes-worktrees", "repo"),
        options: { mode: "parallel", concurrency: 1, retries: 0, timeout: "1m", land: false },
        order: [],
        tasks: {},
      }),
    );
    await utimes(file, then / 1000, then / 1000);
    try {
      const json = JSON.parse(
        (await runCli(["status", id, "--json"], { cwd: ok.root })).stdout,
      ) as StatusJson;
      expect(json).toMatchObject({ live: false, crashed: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a corrupt or truncated run.json is a clear error (exit 2), not a crash", async () => {
    const id = "29991231-235959-beef";
    const dir = path.join(ok.root, ".lanes", "runs", id);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "run.json"), '{"version": 1, "id": "2999');
    try {
      const result = await runCli(["status"], { cwd: ok.root });
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(`run ${id}:`);
      expect(result.stderr).toContain("corrupt or truncated");
      expect(result.stderr).toContain(`other runs: ${okRun} (done)`);
      expect(result.stderr).not.toContain("internal error");
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      // The other runs still read fine.
      const other = await runCli(["status", okRun], { cwd: ok.root });
      expect(other.exitCode).toBe(0);
      expect(other.stdout).toContain(`Other runs: ${id} (unreadable)`);
      // A run.json that is JSON but not a run record.
      await writeFile(path.join(dir, "run.json"), "[]");
      const notRun = await runCli(["status", id], { cwd: ok.root });
      expect(notRun.exitCode).toBe(2);
      expect(notRun.stderr).toContain("is not a lanes run record");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("an unknown run id exits 2 naming the runs that exist; so does a repository without runs", async () => {
    const unknown = await runCli(["status", "19990101-nope"], { cwd: ok.root });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('no run "19990101-nope"');
    expect(unknown.stderr).toContain(`runs: ${okRun} (done)`);
    // A unique prefix is enough.
    const prefix = await runCli(["status", okRun.slice(0, 15)], { cwd: ok.root });
    expect(prefix.exitCode).toBe(0);
    expect(prefix.stdout).toContain(`Run ${okRun}`);

    const empty = await tempRepo();
    try {
      const none = await runCli(["status"], { cwd: empty.root });
      expect(none.exitCode).toBe(2);
      expect(none.stderr).toContain("no runs yet");
      expect(none.stderr).toContain("lanes run");
    } finally {
      await empty.cleanup();
    }
  });
});

/**
 * A stand-in for the `claude` CLI on PATH: it does the task and reports its token usage the way
 * Claude Code does (stream-json), so that lanes' budget stops a run with tasks left pending.
 */
async function fakeClaude(dir: string): Promise<string> {
  const bin = path.join(dir, "bin");
  await mkdir(bin, { recursive: true });
  const script = `#!${process.execPath}
const fs = require("node:fs");
process.stdin.resume();
process.stdin.on("end", () => {
  const id = process.env.LANES_TASK_ID;
  fs.mkdirSync("lanes-out", { recursive: true });
  fs.writeFileSync("lanes-out/" + id + ".txt", "done\\n");
  const line = (event) => process.stdout.write(JSON.stringify(event) + "\\n");
  line({ type: "system", subtype: "init", session_id: "session-" + id });
  line({ type: "result", subtype: "success", is_error: false, result: "done",
    usage: { input_tokens: 100, output_tokens: 20 }, total_cost_usd: 0.01 });
});
`;
  await writeFile(path.join(bin, "claude"), script, { mode: 0o755 });
  return bin;
}

describe("lanes status after a run that stopped with tasks only pending", () => {
  let repo: TempRepo;
  let runId: string;

  beforeAll(async () => {
    repo = await tempRepo({
      ".lanes/tasks/first.md": "---\ntitle: First\n---\nDo first.\n",
      ".lanes/tasks/second.md": "---\ntitle: Second\ndepends_on: [first]\n---\nDo second.\n",
      ".lanes/settings.json": JSON.stringify({
        agent: { preset: "claude", env: { IS_SANDBOX: "1" } },
        concurrency: 1,
        timeout: "1m",
      }),
    });
    const bin = await fakeClaude(repo.dir);
    // The token budget is spent by the first task: the second is held back, nothing failed.
    const run = await runCli(["run", "--max-tokens", "1"], {
      cwd: repo.root,
      env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` },
    });
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    runId = (await runIds(repo))[0]!;
  });
  afterAll(async () => {
    await repo?.cleanup();
  });

  it("suggests lanes resume, not --retry-failed, when nothing failed", async () => {
    const json = JSON.parse(
      (await runCli(["status", "--json"], { cwd: repo.root })).stdout,
    ) as StatusJson;
    expect(json).toMatchObject({ id: runId, status: "failed", live: false });
    expect(json.tasks.first?.status).toBe("done");
    expect(json.tasks.second).toMatchObject({ status: "pending", attempts: 0 });
    expect(json.left).toMatchObject({ pending: 1, failed: 0, skipped: 0, tasks: ["second"] });
    expect(json.left.next[0]).toBe(`lanes resume ${runId}`);

    const text = await runCli(["status"], { cwd: repo.root });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain("Left: 1 pending (1 of 2 done)");
    expect(text.stdout).toContain(`next: lanes resume ${runId}\n`);
    expect(text.stdout).not.toContain("--retry-failed");
  });
});
