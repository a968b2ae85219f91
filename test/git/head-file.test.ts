// A lane's HEAD read from git's files agrees with git, and anything unusual is left to git.
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { laneHead, readHeadFile } from "../../src/git/head-file.js";
import { headCommit } from "../../src/git/repo.js";
import { addLane, lanePath, worktreeRoot } from "../../src/git/worktrees.js";
import { makeRepo, type TestRepo } from "../helpers/git-repo.js";

let repo: TestRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

async function lane() {
  repo = await makeRepo();
  const root = worktreeRoot(repo.root);
  const base = await headCommit(repo.git);
  const made = await addLane(repo.git, {
    root,
    path: lanePath(root, "a"),
    branch: "lanes/a",
    startPoint: base,
  });
  return { git: repo.git, path: made.path, base };
}

describe("readHeadFile", () => {
  it("follows the lane's branch to its commit, also after a commit in the lane", async () => {
    const l = await lane();
    expect(await readHeadFile(l.path)).toBe(l.base);
    await writeFile(path.join(l.path, "x.txt"), "x\n");
    await l.git.run(["add", "-A"], { cwd: l.path });
    await l.git.run(["commit", "-qm", "x"], { cwd: l.path });
    expect(await readHeadFile(l.path)).toBe(await headCommit(l.git, l.path));
    expect(await readHeadFile(l.path)).not.toBe(l.base);
  });

  it("reads a detached HEAD", async () => {
    const l = await lane();
    await l.git.run(["checkout", "-q", "--detach"], { cwd: l.path });
    expect(await readHeadFile(l.path)).toBe(l.base);
  });

  it("leaves a packed branch and a folder that is no worktree to git", async () => {
    const l = await lane();
    await l.git.run(["pack-refs", "--all"]);
    expect(await readHeadFile(l.path)).toBeUndefined();
    expect(await laneHead(l.git, l.path)).toBe(l.base);
    await rm(path.join(l.path, ".git"));
    expect(await readHeadFile(l.path)).toBeUndefined();
  });
});
