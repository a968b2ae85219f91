// `lanes run` against repositories in awkward states: uncommitted changes, a detached HEAD, a
// leftover lane branch with someone's work on it, --land, and an agent command that is missing.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, snapshot } from "../helpers/cli.js";
import { commitOnBranch } from "../helpers/git-repo.js";
import {
  git,
  laneBranches,
  readRun,
  readStarts,
  runIds,
  runRepo,
  worktreeCount,
} from "./helpers.js";

describe("lanes run: the main checkout", () => {
  it("warns about uncommitted changes, naming the file, and works from the committed HEAD", async () => {
    const repo = await runRepo({
      tasks: { a: {} },
      plan: { a: { sleepMs: 100 } },
      files: { "notes.txt": "committed\n" },
    });
    await writeFile(path.join(repo.root, "notes.txt"), "uncommitted edit\n");

    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^! uncommitted changes in the main checkout .*notes\.txt/m);

    const { id: runId, events } = await readRun(repo.root);
    expect(events.some((e) => e.type === "warning" && e.message.includes("notes.txt"))).toBe(true);
    // The lane had the committed content, and the user's edit is still there, untouched.
    expect(await git(repo, ["show", `lanes/run/${runId}:notes.txt`])).toBe("committed");
    expect(await readFile(path.join(repo.root, "notes.txt"), "utf8")).toBe("uncommitted edit\n");
    expect(await git(repo, ["status", "--porcelain"])).toBe("M notes.txt");
  });

  it("works on a detached HEAD, with a warning", async () => {
    const repo = await runRepo({ tasks: { a: {} }, plan: { a: { sleepMs: 100 } } });
    const head = await git(repo, ["rev-parse", "HEAD"]);
    await git(repo, ["checkout", "--quiet", "--detach"]);

    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^! HEAD is detached/m);
    expect(result.stdout).toContain(`base ${head.slice(0, 7)}`);

    const { state } = await readRun(repo.root);
    expect(state.baseBranch).toBeUndefined();
    expect(state.baseCommit).toBe(head);
    expect(state.tasks.a?.status).toBe("done");
    expect(await git(repo, ["rev-parse", "HEAD"])).toBe(head); // still detached where it was
  });
});

describe("lanes run: a leftover lane branch", () => {
  it("refuses, before anything starts, a branch lanes/<id> holding commits on no other branch", async () => {
    const repo = await runRepo({
      tasks: { a: {}, b: {} },
      plan: { "*": { sleepMs: 100 } },
    });
    const theirs = await commitOnBranch(repo.repo, "lanes/a", { "mine.txt": "precious\n" });
    const before = await snapshot(repo.root);

    const result = await runCli(["run"], { cwd: repo.root });

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      "branch lanes/a already exists and holds commits that are on no other branch",
    );
    expect(result.stderr).toMatch(/hint: .*git branch -m lanes\/a/);
    // Nothing started, nothing changed, and the user's branch is untouched.
    expect(readStarts(repo.startsFile)).toEqual([]);
    expect(await snapshot(repo.root)).toBe(before);
    expect(await git(repo, ["rev-parse", "lanes/a"])).toBe(theirs);
  });

  it("reuses a leftover lanes/<id> branch whose commits are all in HEAD", async () => {
    const repo = await runRepo({ tasks: { a: {} }, plan: { a: { sleepMs: 100 } } });
    await git(repo, ["branch", "lanes/a", "HEAD"]);

    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);
    expect(await laneBranches(repo)).toEqual([]);
  });
});

describe("lanes run --land", () => {
  it("fast-forwards the base branch when every task succeeded and the checkout is clean", async () => {
    const repo = await runRepo({
      tasks: { a: {}, b: { deps: ["a"] } },
      plan: { "*": { sleepMs: 100, files: { "src/x.txt": "x\n" } } },
    });
    const before = await git(repo, ["rev-parse", "main"]);

    const result = await runCli(["run", "--land"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);

    const { id: runId } = await readRun(repo.root);
    const integration = await git(repo, ["rev-parse", `lanes/run/${runId}`]);
    expect(integration).not.toBe(before);
    expect(await git(repo, ["rev-parse", "main"])).toBe(integration);
    expect(await git(repo, ["rev-parse", "--abbrev-ref", "HEAD"])).toBe("main");
    // The checkout moved with it: the lanes' files and the task files' write-back are here.
    expect(await readFile(path.join(repo.root, "lanes-out", "b.txt"), "utf8")).toContain(
      "saw: a.txt",
    );
    expect(await readFile(path.join(repo.root, ".lanes", "tasks", "a.md"), "utf8")).toMatch(
      /^status: done$/m,
    );
    expect(await git(repo, ["status", "--porcelain"])).toBe("");
    expect(result.stdout).toContain(`landed on main`);
  });

  it("does not land on a dirty checkout, but still finishes the run and says why", async () => {
    const repo = await runRepo({
      tasks: { a: {} },
      plan: { a: { sleepMs: 100 } },
      files: { "notes.txt": "committed\n" },
    });
    await writeFile(path.join(repo.root, "notes.txt"), "uncommitted edit\n");
    const before = await git(repo, ["rev-parse", "main"]);

    const result = await runCli(["run", "--land"], { cwd: repo.root });

    // main did not move and the user's edit is untouched...
    expect(await git(repo, ["rev-parse", "main"])).toBe(before);
    expect(await readFile(path.join(repo.root, "notes.txt"), "utf8")).toBe("uncommitted edit\n");
    // ...and the run is still recorded as finished, with a summary, and the reason is shown.
    const { state, events } = await readRun(repo.root);
    expect(state.status).toBe("done");
    expect(state.tasks.a?.status).toBe("done");
    expect(events.at(-1)?.type).toBe("run_finished");
    expect(result.stdout).toMatch(/^Summary: 1 done \(/m);
    expect(`${result.stdout}${result.stderr}`).toMatch(/cannot land on main: .*notes\.txt/);
    expect(result.stdout).toContain(`git merge --ff-only ${state.integrationBranch}`);
    // The next run is not blocked by a run that looks unfinished.
    const next = await runCli(["run", "a"], { cwd: repo.root });
    expect(next.stderr).not.toContain("did not finish");
  });

  it("does not land when a task failed", async () => {
    const repo = await runRepo({
      tasks: { a: {}, b: {} },
      plan: { a: { sleepMs: 100 }, b: { sleepMs: 100, exit: 1 } },
    });
    const before = await git(repo, ["rev-parse", "main"]);
    const result = await runCli(["run", "--land"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);
    expect(await git(repo, ["rev-parse", "main"])).toBe(before);
    expect(result.stdout).not.toContain("landed on");
  });
});

describe("lanes run: a missing agent command", () => {
  it("exits 2 naming the command, before anything is written", async () => {
    const missing = "/nonexistent/lanes-test-agent";
    const repo = await runRepo({
      tasks: { a: {}, b: { deps: ["a"] } },
      settings: { agent: { command: [missing, "--flag"] } },
    });
    const before = await snapshot(repo.root);

    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(missing);
    expect(result.stderr).toMatch(/^hint: /m);
    expect(result.stdout).toBe("");

    expect(runIds(repo.root)).toEqual([]);
    expect(await git(repo, ["for-each-ref", "--format=%(refname)", "refs/heads/"])).toBe(
      "refs/heads/main",
    );
    expect(await worktreeCount(repo)).toBe(1);
    expect(await snapshot(repo.root)).toBe(before);
  });
});
