// lanes' one commit of a lane with the task's record folded in (no verify command): the work and
// `status: done` in a single commit, nothing committed for an agent that changed nothing, changes
// the agent staged itself still counted, and a record that cannot ride kept for landing instead.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { headCommit } from "../../src/git/repo.js";
import { Git } from "../../src/git/runner.js";
import { addLane, lanePath, worktreeRoot } from "../../src/git/worktrees.js";
import { commitLane } from "../../src/run/landing-commit.js";
import { RECORDS_ON_LANDING } from "../../src/run/records-on-landing.js";
import { runDir } from "../../src/state/layout.js";
import { runCli } from "../helpers/cli.js";
import { makeRepo, type TestRepo } from "../helpers/git-repo.js";
import { readRun, runRepo } from "./helpers.js";

let repo: TestRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

const TASK = ".lanes/tasks/a.md";
const TEXT = "---\ntitle: A\n---\nDo a.\n";

async function lane(files: Record<string, string> = { [TASK]: TEXT }) {
  repo = await makeRepo(files);
  const root = worktreeRoot(repo.root);
  const start = await headCommit(repo.git);
  const made = await addLane(repo.git, {
    root,
    path: lanePath(root, "a"),
    branch: "lanes/a",
    startPoint: start,
  });
  const task = {
    id: "a",
    lane: made.path,
    file: TASK,
    startCommit: start,
    integrationBranch: "lanes/run/r1",
    runId: "r1",
  };
  return { git: repo.git, lane: made.path, start, task };
}

const options = { message: "Task a\n\nlanes task a", exclude: [], withRecord: true };

async function changedFiles(git: TestRepo["git"], from: string, to: string): Promise<string[]> {
  const { stdout } = await git.run(["diff", "--name-only", from, to]);
  return stdout.split("\n").filter(Boolean);
}

describe("commitLane with the record folded in", () => {
  it("makes one commit holding the agent's work and status: done", async () => {
    const l = await lane();
    await writeFile(path.join(l.lane, "work.txt"), "w\n");
    const made = await commitLane(l.git, l.task, options);
    expect(made).toMatchObject({ kind: "committed", committed: true, recorded: true });
    if (made.kind !== "committed") return;
    expect(made.commit).toBe(await headCommit(l.git, l.lane));
    const parent = (await l.git.run(["rev-parse", `${made.commit}^`])).stdout;
    expect(parent).toBe(l.start);
    expect(await changedFiles(l.git, l.start, made.commit)).toEqual([TASK, "work.txt"]);
    const recorded = (await l.git.run(["show", `${made.commit}:${TASK}`])).stdout;
    expect(recorded).toMatch(/^status: done$/m);
    expect(recorded).toMatch(/^branch: lanes\/run\/r1$/m);
    expect(recorded).toMatch(/^commits: \[\]$/m);
    expect(await l.git.run(["status", "--porcelain"], { cwd: l.lane })).toMatchObject({
      stdout: "",
    });
  });

  it("commits nothing and writes no record when the agent changed nothing", async () => {
    const l = await lane();
    expect(await commitLane(l.git, l.task, options)).toEqual({ kind: "no_changes" });
    expect(await headCommit(l.git, l.lane)).toBe(l.start);
    expect(await readFile(path.join(l.lane, TASK), "utf8")).toBe(TEXT);
  });

  it("counts changes the agent staged itself, which add -A has nothing left to stage", async () => {
    const l = await lane();
    await writeFile(path.join(l.lane, "staged.txt"), "s\n");
    await l.git.run(["add", "staged.txt"], { cwd: l.lane });
    const made = await commitLane(l.git, l.task, options);
    expect(made.kind).toBe("committed");
    if (made.kind !== "committed") return;
    expect(await changedFiles(l.git, l.start, made.commit)).toEqual([TASK, "staged.txt"]);
  });

  it("lists the agent's own commits in the record", async () => {
    const l = await lane();
    await writeFile(path.join(l.lane, "own.txt"), "o\n");
    await l.git.run(["add", "own.txt"], { cwd: l.lane });
    await l.git.run(["commit", "--quiet", "-m", "agent's own"], { cwd: l.lane });
    const own = await headCommit(l.git, l.lane);
    const made = await commitLane(l.git, l.task, options);
    expect(made).toMatchObject({ kind: "committed", before: own, recorded: true });
    if (made.kind !== "committed") return;
    const recorded = (await l.git.run(["show", `${made.commit}:${TASK}`])).stdout;
    expect(recorded).toContain(own);
    expect(await changedFiles(l.git, own, made.commit)).toEqual([TASK]);
  });

  it("keeps the record for landing when the task file is not committed as on disk", async () => {
    const l = await lane();
    // Edited in the main checkout after the lane was made: the record may not ride.
    await writeFile(path.join(repo!.root, TASK), `${TEXT}edited\n`);
    await mkdir(runDir(repo!.root, "r1"), { recursive: true }); // the run made it when it opened
    await writeFile(path.join(l.lane, "work.txt"), "w\n");
    const made = await commitLane(l.git, l.task, options);
    expect(made).toMatchObject({ kind: "committed", recorded: true });
    if (made.kind !== "committed") return;
    expect(await changedFiles(l.git, l.start, made.commit)).toEqual(["work.txt"]);
    const kept = await readFile(path.join(runDir(repo!.root, "r1"), RECORDS_ON_LANDING), "utf8");
    expect(JSON.parse(kept)).toMatchObject({ taskId: "a", laneCommit: made.commit });
  });

  it("without the record (a verify command follows): the work alone, recorded later", async () => {
    const l = await lane();
    await writeFile(path.join(l.lane, "work.txt"), "w\n");
    const made = await commitLane(l.git, l.task, { ...options, withRecord: false });
    expect(made).toMatchObject({ kind: "committed", recorded: false });
    if (made.kind !== "committed") return;
    expect(await changedFiles(l.git, l.start, made.commit)).toEqual(["work.txt"]);
  });
});

describe("lanes run: the commits each task adds to the integration branch", () => {
  /** Per task, the files of each non-merge commit the run added, oldest first. */
  async function commitsOfRun(root: string, runId: string): Promise<string[][]> {
    const { stdout } = await new Git(root).run([
      "log",
      "--no-merges",
      "--reverse",
      "--format=%x00",
      "--name-only",
      `main..lanes/run/${runId}`,
    ]);
    return stdout
      .split("\0")
      .map((files) => files.split("\n").filter(Boolean))
      .filter((files) => files.length > 0);
  }

  it("without verify: one commit per task, holding its work and its record", async () => {
    const run = await runRepo({ tasks: { a: {}, b: { deps: ["a"] } } });
    const result = await runCli(["run"], { cwd: run.root });
    expect(result.exitCode, result.stderr).toBe(0);
    const { id } = await readRun(run.root);
    expect(await commitsOfRun(run.root, id)).toEqual([
      [".lanes/tasks/a.md", "lanes-out/a.txt"],
      [".lanes/tasks/b.md", "lanes-out/b.txt"],
    ]);
  });

  it("with verify: the work, then the record once verify passed", async () => {
    const run = await runRepo({ tasks: { a: {} }, settings: { verify: "true" } });
    const result = await runCli(["run"], { cwd: run.root });
    expect(result.exitCode, result.stderr).toBe(0);
    const { id } = await readRun(run.root);
    expect(await commitsOfRun(run.root, id)).toEqual([["lanes-out/a.txt"], [".lanes/tasks/a.md"]]);
  });
});
