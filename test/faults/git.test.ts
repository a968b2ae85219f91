// Fault suite, git: the repository in awkward states. A dirty checkout or a detached HEAD is
// worked around with a warning; a lane branch holding someone's commits is refused (exit 2)
// while an empty one is reused; a folder in a lane's place is refused when lanes did not make
// it and cleared when a killed run left it; a conflict between two tasks fails one of them.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, snapshot } from "../helpers/cli.js";
import { commitOnBranch } from "../helpers/git-repo.js";
import {
  git,
  laneBranches,
  type RunRepo,
  readRun,
  readStarts,
  runIds,
  runRepo,
  waitForStarts,
} from "../run/helpers.js";
import {
  expectNothingRunning,
  expectOnlyMainCheckout,
  startCli,
  worktreePaths,
} from "./helpers.js";

function lanePathOf(repo: RunRepo, id: string): string {
  return path.join(repo.dir, ".lanes-worktrees", "repo", id);
}

async function cleanAll(repo: RunRepo): Promise<void> {
  const clean = await runCli(["clean", "--all", "--yes"], { cwd: repo.root });
  expect(clean.exitCode, clean.stderr).toBe(0);
  await expectOnlyMainCheckout(repo);
  expect(await laneBranches(repo)).toEqual([]);
}

describe("git: the main checkout", () => {
  it("a dirty checkout: a warning naming the files; the lanes work from the committed HEAD", async () => {
    const repo = await runRepo({
      tasks: { a: {} },
      plan: { a: { sleepMs: 50 } },
      files: { "notes.txt": "committed\n" },
    });
    await writeFile(path.join(repo.root, "notes.txt"), "uncommitted edit\n");
    await writeFile(path.join(repo.root, "scratch.txt"), "untracked\n");
    const head = await git(repo, ["rev-parse", "HEAD"]);

    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `! uncommitted changes in the main checkout are not in the lanes (notes.txt, scratch.txt); lanes works from the committed HEAD ${head.slice(0, 7)}`,
    );
    const { id } = await readRun(repo.root);
    expect(await git(repo, ["show", `lanes/run/${id}:notes.txt`])).toBe("committed");
    // The user's edits are untouched, and the checkout is where it was.
    expect(await readFile(path.join(repo.root, "notes.txt"), "utf8")).toBe("uncommitted edit\n");
    expect(await readFile(path.join(repo.root, "scratch.txt"), "utf8")).toBe("untracked\n");
    expect(await git(repo, ["rev-parse", "HEAD"])).toBe(head);
    await expectNothingRunning(id);
    await expectOnlyMainCheckout(repo);
  });

  it("a detached HEAD: a warning, the lanes start from it, HEAD stays detached", async () => {
    const repo = await runRepo({ tasks: { a: {} }, plan: { a: { sleepMs: 50 } } });
    const head = await git(repo, ["rev-parse", "HEAD"]);
    await git(repo, ["checkout", "--quiet", "--detach"]);
    const result = await runCli(["run", "--land"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `! HEAD is detached: the lanes start from ${head.slice(0, 7)}, and --land has no branch to move`,
    );
    const { id, state } = await readRun(repo.root);
    expect(state.baseCommit).toBe(head);
    expect(await git(repo, ["rev-parse", "HEAD"])).toBe(head);
    expect(await git(repo, ["rev-parse", "main"])).toBe(head); // nothing landed anywhere
    await expectNothingRunning(id);
    await expectOnlyMainCheckout(repo);
  });
});

describe("git: a branch lanes/<id> exists already", () => {
  it("holding commits of its own: exit 2 naming it, nothing started or changed", async () => {
    const repo = await runRepo({ tasks: { a: {}, b: {} }, plan: { "*": { sleepMs: 50 } } });
    const theirs = await commitOnBranch(repo.repo, "lanes/a", { "mine.txt": "precious\n" });
    const before = await snapshot(repo.root);
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^lanes: branch lanes\/a already exists and holds commits that are on no other branch$/m,
    );
    expect(result.stderr).toMatch(/^hint: task a needs it for its lane: .*git branch -m lanes\/a/m);
    expect(readStarts(repo.startsFile)).toEqual([]);
    expect(runIds(repo.root)).toEqual([]);
    expect(await snapshot(repo.root)).toBe(before);
    expect(await git(repo, ["rev-parse", "lanes/a"])).toBe(theirs);
  });

  it("holding nothing of its own: reused for the lane", async () => {
    const repo = await runRepo({ tasks: { a: {} }, plan: { a: { sleepMs: 50 } } });
    await git(repo, ["branch", "lanes/a", "HEAD"]);
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(0);
    const { id, state } = await readRun(repo.root);
    expect(state.tasks.a?.status).toBe("done");
    expect(await laneBranches(repo)).toEqual([]);
    await expectNothingRunning(id);
    await expectOnlyMainCheckout(repo);
  });
});

describe("git: a branch named lanes or lanes/run", () => {
  it.each([
    ["lanes", "lanes/<task-id>"],
    ["lanes/run", "lanes/run/<run-id>"],
  ])("%s: exit 2 naming it (git cannot hold it and %s), nothing written", async (branch, below) => {
    const repo = await runRepo({ tasks: { a: {} }, plan: { a: { sleepMs: 50 } } });
    await git(repo, ["branch", branch, "HEAD"]);
    const before = await snapshot(repo.root);
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      `lanes: branch ${branch} is in the way: lanes keeps its branches under ${branch}/ (${below}), and git cannot have both`,
    );
    expect(result.stderr).toContain(`hint: rename it (git branch -m ${branch} <new-name>)`);
    expect(readStarts(repo.startsFile)).toEqual([]);
    expect(runIds(repo.root)).toEqual([]);
    expect(await snapshot(repo.root)).toBe(before);
  });
});

describe("git: a folder where a lane goes", () => {
  it("a plain folder lanes did not create: the task fails naming it, the folder is untouched", async () => {
    const repo = await runRepo({ tasks: { a: {}, b: {} }, plan: { "*": { sleepMs: 50 } } });
    const lane = lanePathOf(repo, "a");
    await mkdir(path.join(lane, "sub"), { recursive: true });
    await writeFile(path.join(lane, "keep.txt"), "someone's file\n");
    await writeFile(path.join(lane, "sub", "more.txt"), "more\n");

    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);
    const { id, state } = await readRun(repo.root);
    expect(state.tasks.a?.status).toBe("failed");
    expect(state.tasks.a?.reason).toBe("git");
    expect(state.tasks.a?.detail).toBe(
      `${lane} already exists and is not a lane of ${repo.root} (move or delete it, or set worktreeDir to another folder)`,
    );
    expect(result.stdout).toContain(`✗ a failed (`);
    expect(state.tasks.b?.status).toBe("done");
    expect(readStarts(repo.startsFile).map((s) => s.task)).toEqual(["b"]);
    expect(await readFile(path.join(lane, "keep.txt"), "utf8")).toBe("someone's file\n");
    expect(await readFile(path.join(lane, "sub", "more.txt"), "utf8")).toBe("more\n");
    await expectNothingRunning(id);
    await expectOnlyMainCheckout(repo);
    // lanes clean leaves it alone too, even with --all.
    const clean = await runCli(["clean", "--all", "--yes"], { cwd: repo.root });
    expect(clean.exitCode, clean.stderr).toBe(0);
    expect(clean.stdout).toContain("not a lane of");
    expect(await readFile(path.join(lane, "keep.txt"), "utf8")).toBe("someone's file\n");
  });

  it("a symbolic link lanes did not create: the task fails naming it, the target is untouched", async () => {
    const repo = await runRepo({ tasks: { a: {} }, plan: { "*": { sleepMs: 50 } } });
    const lane = lanePathOf(repo, "a");
    const target = path.join(repo.dir, "elsewhere");
    await mkdir(target, { recursive: true });
    await writeFile(path.join(target, "keep.txt"), "keep\n");
    await mkdir(path.dirname(lane), { recursive: true });
    await symlink(target, lane);

    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);
    const { id, state } = await readRun(repo.root);
    expect(state.tasks.a?.reason).toBe("git");
    expect(state.tasks.a?.detail).toBe(
      `refusing to use ${lane}: it leads to ${target}, which is not inside ${path.dirname(lane)} (remove the link; lanes creates its worktrees itself)`,
    );
    expect(readStarts(repo.startsFile)).toEqual([]);
    expect(await readlink(lane)).toBe(target);
    expect(await readdir(target)).toEqual(["keep.txt"]);
    await expectNothingRunning(id);
    await expectOnlyMainCheckout(repo);
  });

  it.each([
    ["still registered with git", false],
    ["whose registration git already forgot", true],
  ])("a lane a killed run left (%s): cleared and reused by the next run", async (_, forget) => {
    const repo = await runRepo({ tasks: { a: {} }, plan: { a: { hang: true } } });
    const killed = startCli(["run"], repo.root);
    const [start] = await waitForStarts(repo.startsFile, 1);
    const first = (await readRun(repo.root)).id;
    killed.child.kill("SIGKILL");
    await killed.exited;
    process.kill(-start!.pid, "SIGKILL"); // the agent too: only its lane is left
    const lane = lanePathOf(repo, "a");
    expect(existsSync(path.join(lane, ".git"))).toBe(true);
    if (forget) {
      await rm(path.join(repo.root, ".git", "worktrees", "a"), { recursive: true });
      expect(await worktreePaths(repo)).toEqual([repo.root]);
    }

    await writeFile(repo.planFile, JSON.stringify({ a: { sleepMs: 50 } }));
    const result = await runCli(["run", "--yes"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(0);
    const { state } = await readRun(
      repo.root,
      runIds(repo.root).find((id) => id !== first),
    );
    expect(state.tasks.a?.status).toBe("done");
    expect((await readRun(repo.root, first)).state.status).toBe("abandoned");
    expect(existsSync(lane)).toBe(false);
    await expectNothingRunning(first);
    await expectNothingRunning(state.id);
    await expectOnlyMainCheckout(repo);
    await cleanAll(repo);
  });
});

describe("git: a merge conflict between two tasks", () => {
  it("fails the second to merge with reason conflict, naming the file, keeping its branch", async () => {
    const repo = await runRepo({
      tasks: { red: {}, blue: {} },
      plan: {
        red: { sleepMs: 50, files: { "colour.txt": "red\n", "red.txt": "r\n" } },
        blue: { sleepMs: 400, files: { "colour.txt": "blue\n", "blue.txt": "b\n" } },
      },
      files: { "colour.txt": "none\n" },
      // The conflict policy of old; "agent" (the default) is tested in run/quality-loop.
      settings: { conflicts: "fail" },
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);
    const { id, state } = await readRun(repo.root);
    expect(state.tasks.red?.status).toBe("done");
    expect(state.tasks.blue?.status).toBe("failed");
    expect(state.tasks.blue?.reason).toBe("conflict");
    expect(state.tasks.blue?.detail).toBe(
      "merge conflict in colour.txt; the branch lanes/blue is kept for you",
    );
    expect(result.stdout).toMatch(
      /^✗ blue failed \(.*\): conflict — merge conflict in colour\.txt/m,
    );
    expect(await git(repo, ["show", `lanes/run/${id}:colour.txt`])).toBe("red");
    expect(await git(repo, ["show", "lanes/blue:colour.txt"])).toBe("blue");
    // The integration branch records the failure in the task file, and holds no conflict markers.
    expect(await git(repo, ["show", `lanes/run/${id}:.lanes/tasks/blue.md`])).toMatch(
      /^status: failed$/m,
    );
    await expectNothingRunning(id);
    expect(await worktreePaths(repo)).toEqual([repo.root, lanePathOf(repo, "blue")]);
    await cleanAll(repo);
  });
});
