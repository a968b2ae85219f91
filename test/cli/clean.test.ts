// `lanes clean` end to end: what real scripted runs leave behind, removed or kept as promised.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, snapshot, type TempRepo } from "../helpers/cli.js";
import { scriptedRepo, task } from "../helpers/scripted-repo.js";

async function git(repo: TempRepo, args: string[]): Promise<string> {
  return (await repo.repo.git.run(args)).stdout;
}

/** The paths `git worktree list` shows. */
async function worktrees(repo: TempRepo): Promise<string[]> {
  const out = await git(repo, ["worktree", "list", "--porcelain"]);
  return out
    .split("\n")
    .filter((line) => line.startsWith("worktree "))
    .map((line) => line.slice("worktree ".length));
}

async function branches(repo: TempRepo): Promise<string[]> {
  return (await git(repo, ["for-each-ref", "--format=%(refname:short)", "refs/heads/"]))
    .split("\n")
    .filter(Boolean)
    .sort();
}

async function runIds(repo: TempRepo): Promise<string[]> {
  const dir = path.join(repo.root, ".lanes", "runs");
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

function laneRoot(repo: TempRepo): string {
  return path.join(repo.dir, ".lanes-worktrees", "repo");
}

// Verify fails for `broken` only: its work is committed on its branch, so the branch is unmerged.
const VERIFY = [
  process.execPath,
  "-e",
  "process.exit(process.env.LANES_TASK_ID === 'broken' ? 1 : 0)",
];

describe("lanes clean after a run with a failure", () => {
  let repo: TempRepo;
  let runId: string;

  beforeAll(async () => {
    repo = await scriptedRepo(
      {
        good: task("Good"),
        broken: task("Broken"),
        after: task("After", "depends_on: [broken]\n"),
      },
      { "*": { sleepMs: 40 } },
      { verify: VERIFY },
    );
    const run = await runCli(["run"], { cwd: repo.root });
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    [runId] = (await runIds(repo)) as [string];
    // Folders lanes did not create, inside its worktree folder: a plain one, and one whose .git
    // file points at another repository's worktree records.
    await mkdir(path.join(laneRoot(repo), "unrelated"), { recursive: true });
    await writeFile(path.join(laneRoot(repo), "unrelated", "notes.txt"), "mine\n");
    await mkdir(path.join(laneRoot(repo), "other-repo"), { recursive: true });
    await writeFile(
      path.join(laneRoot(repo), "other-repo", ".git"),
      `gitdir: ${path.join(repo.dir, "elsewhere", ".git", "worktrees", "other-repo")}\n`,
    );
    // What a kill -9 in the middle of deleting a merged lane leaves: its renamed folder, half gone.
    await mkdir(path.join(laneRoot(repo), ".trash-good-0a1b2c3d", "src"), { recursive: true });
    await writeFile(path.join(laneRoot(repo), ".trash-good-0a1b2c3d", "src", "x.ts"), "half\n");
  });
  afterAll(async () => {
    await repo?.cleanup();
  });

  it("removes the worktrees, keeps the unmerged failed branch, and leaves only the main checkout", async () => {
    // The merged lanes' worktrees stay in the pool for the next run; clean removes them too.
    const before = await worktrees(repo);
    const pool = path.join(laneRoot(repo), ".pool");
    expect(before.filter((wt) => !wt.startsWith(pool))).toEqual([
      repo.root,
      path.join(laneRoot(repo), "broken"),
    ]);
    expect(before.filter((wt) => wt.startsWith(pool)).length).toBeGreaterThan(0);
    expect(await branches(repo)).toEqual(["lanes/broken", `lanes/run/${runId}`, "main"]);

    const result = await runCli(["clean"], { cwd: repo.root });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/Removed worktree \.\.\/\.lanes-worktrees\/repo\/broken \(\d/);
    expect(result.stdout).toMatch(
      /Removed worktree \.\.\/\.lanes-worktrees\/repo\/\.trash-good-0a1b2c3d/,
    );
    expect(existsSync(path.join(laneRoot(repo), ".trash-good-0a1b2c3d"))).toBe(false);
    expect(result.stdout).toMatch(
      /Removed worktree \.\.\/\.lanes-worktrees\/repo\/\.pool\/[0-9a-f]{8}/,
    );
    expect(existsSync(pool)).toBe(false);
    expect(result.stdout).toContain(
      "Kept branch lanes/broken: 1 commit not merged anywhere; --all deletes it",
    );
    expect(result.stdout).toContain(
      `Kept branch lanes/run/${runId}: run ${runId} can still be resumed`,
    );
    expect(result.stdout).toContain("Kept ../.lanes-worktrees/repo/unrelated: not a lane of");
    expect(result.stdout).toMatch(/Freed \d+(\.\d)? (KB|MB)\./);

    expect(await worktrees(repo)).toEqual([repo.root]);
    expect(await branches(repo)).toEqual(["lanes/broken", `lanes/run/${runId}`, "main"]);
    expect(await readFile(path.join(laneRoot(repo), "unrelated", "notes.txt"), "utf8")).toBe(
      "mine\n",
    );
    expect(existsSync(path.join(laneRoot(repo), "other-repo", ".git"))).toBe(true);
    // The run's record stays without --older-than.
    expect(await runIds(repo)).toEqual([runId]);

    // A second clean has nothing left to do but say what it keeps.
    const again = await runCli(["clean"], { cwd: repo.root });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain("Nothing to clean.");
  });

  it("--all without a terminal needs --yes, and changes nothing without it", async () => {
    const before = await snapshot(repo.root);
    const result = await runCli(["clean", "--all"], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      "--all removes work that is not merged anywhere and needs --yes",
    );
    expect(result.stderr).toContain("branch lanes/broken — 1 commit not merged anywhere");
    expect(result.stderr).toContain("lanes clean --all --yes");
    expect(await snapshot(repo.root)).toBe(before);
  });

  it("--all --yes deletes the unmerged failed branch and the integration branch, and never the unrelated folders", async () => {
    const result = await runCli(["clean", "--all", "--yes"], { cwd: repo.root });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("Deleted branch lanes/broken — 1 commit not merged anywhere");
    expect(result.stdout).toContain(`Deleted branch lanes/run/${runId}`);
    expect(await branches(repo)).toEqual(["main"]);
    expect(await worktrees(repo)).toEqual([repo.root]);
    expect(await readFile(path.join(laneRoot(repo), "unrelated", "notes.txt"), "utf8")).toBe(
      "mine\n",
    );
    expect(existsSync(path.join(laneRoot(repo), "other-repo", ".git"))).toBe(true);
    // lanes status still reads the run, and says its branches are gone.
    const status = await runCli(["status"], { cwd: repo.root });
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain(`lanes/run/${runId} (deleted)`);
    expect(status.stdout).toContain("branch lanes/broken (deleted)");
    expect(status.stdout).toContain("next: lanes run after broken");
  });
});

describe("lanes clean with a dirty lane and a live run", () => {
  let repo: TempRepo;
  let runId: string;
  const liveId = "29990101-000000-live";

  beforeAll(async () => {
    repo = await scriptedRepo(
      { good: task("Good"), crashy: task("Crashy") },
      // crashy writes its file, then exits 1: lanes commits nothing, the lane keeps the change.
      { "*": { sleepMs: 40 }, crashy: { sleepMs: 40, exit: 1 } },
    );
    const run = await runCli(["run"], { cwd: repo.root });
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    [runId] = (await runIds(repo)) as [string];

    // A live run: run.json names this test process (alive, started when it says) as its
    // orchestrator; it has a lane and an integration branch that would otherwise be removed.
    const liveLane = path.join(laneRoot(repo), "livetask");
    await git(repo, ["worktree", "add", "--quiet", "-b", "lanes/livetask", liveLane, "main"]);
    await git(repo, ["branch", `lanes/run/${liveId}`, "main"]);
    const dir = path.join(repo.root, ".lanes", "runs", liveId);
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, "run.json"),
      JSON.stringify({
        version: 1,
        id: liveId,
        status: "running",
        pid: process.pid,
        startedAt: Math.round(Date.now() - process.uptime() * 1000),
        repoRoot: repo.root,
        baseCommit: await git(repo, ["rev-parse", "main"]),
        baseBranch: "main",
        integrationBranch: `lanes/run/${liveId}`,
        worktreeRoot: laneRoot(repo),
        options: { mode: "parallel", concurrency: 1, retries: 0, timeout: "1m", land: false },
        order: ["livetask"],
        tasks: {
          livetask: {
            status: "running",
            attempts: 1,
            branch: "lanes/livetask",
            worktree: liveLane,
          },
        },
      }),
    );
  });
  afterAll(async () => {
    await repo?.cleanup();
  });

  it("sees the simulated run as live", async () => {
    const status = await runCli(["status", liveId, "--json"], { cwd: repo.root });
    expect(status.exitCode).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: liveId, live: true, crashed: false });
    const text = await runCli(["status", liveId], { cwd: repo.root });
    expect(text.stdout).toContain(`Run ${liveId}: running (pid ${process.pid})`);
  });

  it("--dry-run lists what it would do and changes nothing", async () => {
    const before = await snapshot(repo.root);
    const result = await runCli(["clean", "--dry-run", "--all", "--yes", "--older-than", "0s"], {
      cwd: repo.root,
    });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("Would remove worktree ../.lanes-worktrees/repo/crashy");
    expect(result.stdout).toContain("1 uncommitted file (lanes-out/crashy.txt)");
    expect(result.stdout).toContain(`Would remove run folder .lanes/runs/${runId}`);
    expect(result.stdout).toContain("Dry run: nothing was changed.");
    expect(result.stdout).not.toContain("livetask (");
    expect(await snapshot(repo.root)).toBe(before);
    // A plain dry run too.
    const plain = await runCli(["clean", "--dry-run"], { cwd: repo.root });
    expect(plain.exitCode).toBe(0);
    expect(await snapshot(repo.root)).toBe(before);
  });

  it("keeps a lane with uncommitted work without --all", async () => {
    const result = await runCli(["clean"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      "Kept ../.lanes-worktrees/repo/crashy: 1 uncommitted file (lanes-out/crashy.txt); --all removes it",
    );
    expect(result.stdout).toContain("Kept branch lanes/crashy: its worktree is kept");
    expect(existsSync(path.join(laneRoot(repo), "crashy", "lanes-out", "crashy.txt"))).toBe(true);
  });

  it("never touches a live run's lanes, branches or folder, even with --all --older-than", async () => {
    const result = await runCli(["clean", "--all", "--yes", "--older-than", "0s"], {
      cwd: repo.root,
    });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("Removed worktree ../.lanes-worktrees/repo/crashy");
    expect(result.stdout).toContain(`Removed run folder .lanes/runs/${runId}`);
    expect(result.stdout).toContain(`Kept run ${liveId}: it is running`);
    // The finished run is gone; the live one is untouched.
    expect(await runIds(repo)).toEqual([liveId]);
    expect(await worktrees(repo)).toEqual([repo.root, path.join(laneRoot(repo), "livetask")]);
    expect(await branches(repo)).toEqual(["lanes/livetask", `lanes/run/${liveId}`, "main"]);
  });

  it("cleans the same run once it is no longer live", async () => {
    // The same record, now finished: its lane and merged branches go without --all.
    const file = path.join(repo.root, ".lanes", "runs", liveId, "run.json");
    const state = JSON.parse(await readFile(file, "utf8"));
    Object.assign(state, { status: "done", finishedAt: Date.now() });
    state.tasks.livetask.status = "done";
    await writeFile(file, JSON.stringify(state));
    const result = await runCli(["clean"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("Removed worktree ../.lanes-worktrees/repo/livetask");
    expect(result.stdout).toContain("Deleted branch lanes/livetask — merged into HEAD");
    expect(result.stdout).toContain(`Deleted branch lanes/run/${liveId} — merged into HEAD`);
    expect(await worktrees(repo)).toEqual([repo.root]);
    expect(await branches(repo)).toEqual(["main"]);
    // Everything lanes made in its worktree folder is gone, and so is the folder.
    expect(existsSync(path.join(repo.dir, ".lanes-worktrees"))).toBe(false);
  });

  it("rejects a bad --older-than with exit 2", async () => {
    const result = await runCli(["clean", "--older-than", "three days"], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Invalid --older-than value: "three days"');
  });
});
