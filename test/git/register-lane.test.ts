// Lanes registered without `git worktree add` (register-lane.ts): what git sees of them, the
// fallback when the branch exists, and what a kill at each step of a registration leaves.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { finishRegistrations, registerFreshLane } from "../../src/git/register-lane.js";
import { branchExists, headCommit } from "../../src/git/repo.js";
import {
  addLane,
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
  repo = await makeRepo({ "README.md": "# test\n", "src/a.ts": "export const a = 1;\n" });
  const root = worktreeRoot(repo.root);
  await mkdir(root, { recursive: true });
  const base = await headCommit(repo.git);
  const common = path.join(repo.root, ".git");
  return { repo, root, base, common };
}

describe("a lane registered outside the queue", () => {
  it("is a worktree git knows, on its new branch at the start point, clean, with every file", async () => {
    const { repo, root, base, common } = await setup();
    const lanes = await Promise.all(
      ["t1", "t2", "t3", "t4", "t5", "t6"].map((id) =>
        addLane(repo.git, {
          root,
          path: lanePath(root, id),
          branch: laneBranchName(id),
          startPoint: base,
        }),
      ),
    );
    const listed = await listWorktrees(repo.git);
    for (const lane of lanes) {
      expect(listed.find((w) => w.path === lane.path)).toMatchObject({
        branch: lane.branch,
        head: base,
        locked: false,
      });
      expect(await readFile(path.join(lane.path, "src", "a.ts"), "utf8")).toBe(
        "export const a = 1;\n",
      );
      const status = await repo.git.run(["status", "--porcelain"], { cwd: lane.path });
      expect(status.stdout).toBe("");
    }
    // Nothing of the assembly is left: no staging folder, no trash in the worktree folder.
    expect(existsSync(path.join(common, "lanes-staging"))).toBe(true);
    expect(await readdir(path.join(common, "lanes-staging"))).toEqual([]);
    expect((await readdir(root)).sort()).toEqual(["t1", "t2", "t3", "t4", "t5", "t6"]);
    // An ordinary worktree for git: removed like one, its branch deleted like one.
    await removeLane(repo.git, lanes[0]!.path, { deleteBranch: true });
    expect(await branchExists(repo.git, "lanes/t1")).toBe(false);
  });

  it("is not made over an existing branch: that is the queue's path, which keeps its rules", async () => {
    const { repo, root, base } = await setup();
    const old = await commitOnBranch(repo, "lanes/t1", { "x.txt": "x" });
    expect(await registerFreshLane(repo.git, lanePath(root, "t1"), "lanes/t1")).toBe(false);
    expect(await readdir(root)).toEqual([]);
    const reused = await addLane(repo.git, {
      root,
      path: lanePath(root, "t1"),
      branch: "lanes/t1",
      startPoint: base,
      existingBranch: "reuse",
    });
    expect(reused.head).toBe(old);
    expect(existsSync(path.join(reused.path, "x.txt"))).toBe(true);
  });
});

describe("a registration a kill interrupted", () => {
  /** A record as a kill leaves it: written and locked, its lane folder maybe not in place. */
  async function lockedRecord(common: string, name: string, lane: string) {
    const record = path.join(common, "worktrees", name);
    await mkdir(record, { recursive: true });
    await writeFile(path.join(record, "locked"), `lanes: registering\n${lane}\n`);
    await writeFile(path.join(record, "gitdir"), `${path.join(lane, ".git")}\n`);
    await writeFile(path.join(record, "commondir"), "../..\n");
    await writeFile(path.join(record, "HEAD"), `ref: refs/heads/lanes/${name}\n`);
    return record;
  }

  it("is undone when its folder never arrived, and the task's lane is then made as usual", async () => {
    const { repo, root, base, common } = await setup();
    const lane = lanePath(root, "t1");
    const record = await lockedRecord(common, "t1", lane);
    // The folder, still under its assembly name, is trash.
    await mkdir(path.join(root, ".trash-new-t1-0a1b2c3d"));
    await writeFile(path.join(root, ".trash-new-t1-0a1b2c3d", ".git"), `gitdir: ${record}\n`);
    await mkdir(path.join(common, "lanes-staging", "t1-0a1b2c3d"), { recursive: true });
    await finishRegistrations(common);
    expect(existsSync(record)).toBe(false);
    expect(existsSync(path.join(common, "lanes-staging"))).toBe(false);
    await pruneLanes(repo.git, [], root);
    expect(await readdir(root)).toEqual([]);
    const made = await addLane(repo.git, {
      root,
      path: lane,
      branch: laneBranchName("t1"),
      startPoint: base,
    });
    expect(made.head).toBe(base);
    expect(existsSync(path.join(lane, "README.md"))).toBe(true);
  });

  it("is completed when its folder arrived: unlocked, a leftover lane lanes clears as any other", async () => {
    const { repo, root, base, common } = await setup();
    const lane = lanePath(root, "t1");
    const record = await lockedRecord(common, "t1", lane);
    await mkdir(lane);
    await writeFile(path.join(lane, ".git"), `gitdir: ${record}\n`);
    await finishRegistrations(common);
    expect(existsSync(path.join(record, "locked"))).toBe(false);
    expect((await listWorktrees(repo.git)).find((w) => w.path === lane)?.locked).toBe(false);
    // Never checked out: the next run's lane replaces it.
    const made = await addLane(repo.git, {
      root,
      path: lane,
      branch: laneBranchName("t1"),
      startPoint: base,
      existingBranch: "reset",
    });
    expect(made.head).toBe(base);
    expect(existsSync(path.join(lane, "src", "a.ts"))).toBe(true);
  });
});
