// Lanes on disk: parallel creation through the queue, the folder boundary, leftovers, removal.
import { existsSync } from "node:fs";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { branchExists, headCommit } from "../../src/git/repo.js";
import {
  addLane,
  dropLaneFolder,
  lanePath,
  listWorktrees,
  pruneLanes,
  removeLane,
  worktreeRoot,
} from "../../src/git/worktrees.js";
import { laneBranchName } from "../../src/names.js";
import { commitOnBranch, makeRepo, type TestRepo } from "../helpers/git-repo.js";

let repo: TestRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

async function setup() {
  repo = await makeRepo();
  const root = worktreeRoot(repo.root);
  const base = await headCommit(repo.git);
  const add = (id: string, extra = {}) =>
    addLane(repo!.git, {
      root,
      path: lanePath(root, id),
      branch: laneBranchName(id),
      startPoint: base,
      ...extra,
    });
  return { repo, root, base, add };
}

describe("names and paths", () => {
  it("puts lanes next to the repository, or under worktreeDir", () => {
    expect(worktreeRoot("/src/app")).toBe("/src/.lanes-worktrees/app");
    expect(worktreeRoot("/src/app", "/mnt/wt")).toBe("/mnt/wt/app");
    expect(worktreeRoot("/src/app", "../wt")).toBe("/src/wt/app");
    expect(lanePath("/src/.lanes-worktrees/app", "t01")).toBe("/src/.lanes-worktrees/app/t01");
    expect(laneBranchName("t01")).toBe("lanes/t01");
  });

  it("refuses task ids that would escape the folder or make a bad ref", () => {
    for (const id of ["..", "../x", "a/b", "a..b", "x.lock", "a.", "run", "-x", ""]) {
      expect(() => laneBranchName(id), id).toThrow(expect.objectContaining({ code: "E_TASK_ID" }));
      expect(() => lanePath("/root", id), id).toThrow();
    }
  });
});

describe("addLane", () => {
  it("creates 10 lanes in parallel on one repository", async () => {
    const { repo, root, base, add } = await setup();
    const ids = Array.from({ length: 10 }, (_, i) => `t${String(i).padStart(2, "0")}`);
    const lanes = await Promise.all(ids.map((id) => add(id)));
    expect(lanes.map((l) => l.head)).toEqual(ids.map(() => base));
    const listed = await listWorktrees(repo.git);
    expect(listed).toHaveLength(11);
    for (const id of ids) {
      expect(listed.find((w) => w.path === path.join(root, id))?.branch).toBe(`lanes/${id}`);
      expect(existsSync(path.join(root, id, "README.md"))).toBe(true);
    }
  });

  it("refuses a path outside the worktree folder", async () => {
    const { repo, root, base } = await setup();
    for (const bad of [path.join(root, "..", "escape"), root, "/tmp/elsewhere"]) {
      await expect(
        addLane(repo.git, { root, path: bad, branch: "lanes/x", startPoint: base }),
      ).rejects.toMatchObject({ code: "E_GIT", message: expect.stringContaining("not inside") });
    }
    expect(await branchExists(repo.git, "lanes/x")).toBe(false);
  });

  it("replaces a stale registered worktree at the lane path", async () => {
    const { repo, root, add } = await setup();
    await add("t01");
    await writeFile(path.join(root, "t01", "junk.txt"), "left by a killed agent");
    await add("t01", { existingBranch: "reset" });
    expect(existsSync(path.join(root, "t01", "junk.txt"))).toBe(false);
    expect(await listWorktrees(repo.git)).toHaveLength(2);
  });

  it("removes an unregistered leftover lane folder of this repository", async () => {
    const { repo, root, add } = await setup();
    await add("t01");
    // What a kill -9 between 'rm -rf .git/worktrees/t01' and deleting the folder leaves.
    await rm(path.join(repo.root, ".git", "worktrees", "t01"), { recursive: true });
    await writeFile(path.join(root, "t01", "junk.txt"), "x");
    await add("t01", { existingBranch: "reuse" });
    expect(existsSync(path.join(root, "t01", "junk.txt"))).toBe(false);
    expect((await listWorktrees(repo.git)).map((w) => w.branch)).toContain("lanes/t01");
  });

  it("refuses a folder at the lane path that lanes did not create", async () => {
    const { root, add } = await setup();
    await mkdir(path.join(root, "t01"), { recursive: true });
    await writeFile(path.join(root, "t01", "precious.txt"), "mine");
    await expect(add("t01")).rejects.toMatchObject({
      code: "E_GIT",
      message: expect.stringContaining("is not a lane of"),
    });
    expect(existsSync(path.join(root, "t01", "precious.txt"))).toBe(true);
  });

  it("fails on a branch left by an earlier run unless told to reset or reuse it", async () => {
    const { repo, root, add } = await setup();
    const old = await commitOnBranch(repo, "lanes/t01", { "x.txt": "x" });
    await expect(add("t01")).rejects.toMatchObject({ code: "E_GIT" });
    const reused = await add("t01", { existingBranch: "reuse" });
    expect(reused.head).toBe(old);
    await removeLane(repo.git, reused.path);
    const reset = await add("t01", { existingBranch: "reset" });
    expect(reset.head).toBe(await headCommit(repo.git));
    expect(reset.path).toBe(path.join(root, "t01"));
  });
});

describe("removeLane", () => {
  it("removes the worktree and optionally its branch, and tolerates a lane already gone", async () => {
    const { repo, add } = await setup();
    const lane = await add("t01");
    await writeFile(path.join(lane.path, "dirty.txt"), "x");
    await expect(removeLane(repo.git, lane.path)).rejects.toMatchObject({ code: "E_GIT" });
    await removeLane(repo.git, lane.path, { force: true, deleteBranch: true });
    expect(existsSync(lane.path)).toBe(false);
    expect(await branchExists(repo.git, "lanes/t01")).toBe(false);
    await removeLane(repo.git, lane.path, { deleteBranch: true, branch: "lanes/t01" });
    expect(await listWorktrees(repo.git)).toHaveLength(1);
  });
});

describe("dropping a merged lane's folder", () => {
  it("leaves nothing, and a kill in the middle leaves a trash folder the next prune deletes", async () => {
    const { repo, root, add } = await setup();
    const lane = await add("done");
    await writeFile(path.join(lane.path, "work.txt"), "merged\n");
    await dropLaneFolder(root, lane.path);
    expect(await readdir(root)).toEqual([]);

    // What a kill -9 during a deletion leaves: the renamed folder, partly deleted, no .git file.
    const half = path.join(root, ".trash-other-0a1b2c3d");
    await mkdir(path.join(half, "src"), { recursive: true });
    await writeFile(path.join(half, "src", "left.txt"), "half\n");
    const next = await add("other");
    expect(next.path).toBe(lanePath(root, "other"));
    await pruneLanes(repo.git, [], root);
    expect(existsSync(half)).toBe(false);
    expect(await readdir(root)).toEqual(["other"]);
  });

  it("is no error for a folder already gone", async () => {
    const { root } = await setup();
    await mkdir(root, { recursive: true });
    await expect(dropLaneFolder(root, lanePath(root, "never"))).resolves.toBeUndefined();
  });
});
