// The merge queue and the commits around it: plumbing merges, conflicts, write-back, CAS, landing.
import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  changedSince,
  commitAll,
  commitFiles,
  createBranch,
  fastForward,
  mergeInto,
} from "../../src/git/merge.js";
import { headCommit, resolveCommit } from "../../src/git/repo.js";
import { addLane, worktreeRoot } from "../../src/git/worktrees.js";
import { integrationBranchName } from "../../src/names.js";
import { commitOnBranch, makeRepo, type TestRepo } from "../helpers/git-repo.js";

let repo: TestRepo | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await repo?.cleanup();
  repo = undefined;
});

const TARGET = integrationBranchName("r1");

async function setup(files?: Record<string, string>) {
  repo = await makeRepo(files);
  await createBranch(repo.git, TARGET, await headCommit(repo.git));
  return repo;
}

const show = (r: TestRepo, rev: string) => r.git.run(["show", rev]).then((x) => x.stdout);

describe("mergeInto", () => {
  it("merges two non-conflicting lanes one after the other", async () => {
    const r = await setup();
    await commitOnBranch(r, "lanes/a", { "a.txt": "a\n" });
    await commitOnBranch(r, "lanes/b", { "b.txt": "b\n" });
    const first = await mergeInto(r.git, { target: TARGET, source: "lanes/a", message: "merge a" });
    const second = await mergeInto(r.git, {
      target: TARGET,
      source: "lanes/b",
      message: "merge b",
    });
    expect(first).toMatchObject({ ok: true });
    expect(second).toMatchObject({ ok: true });
    const tip = await resolveCommit(r.git, TARGET);
    expect(second.ok && second.commit).toBe(tip);
    expect(await show(r, `${TARGET}:a.txt`)).toBe("a");
    expect(await show(r, `${TARGET}:b.txt`)).toBe("b");
    const parents = (await r.git.run(["rev-list", "--parents", "-n1", TARGET])).stdout.split(" ");
    expect(parents).toHaveLength(3);
    expect((await r.git.run(["log", "-1", "--format=%s", TARGET])).stdout).toBe("merge b");
    // The main checkout is untouched.
    expect(await headCommit(r.git)).toBe(await resolveCommit(r.git, "main"));
  });

  it("takes the lane's tree without merge-tree when the target is still at the lane's start, and merges when it moved", async () => {
    const r = await setup();
    const base = await headCommit(r.git);
    const a = await commitOnBranch(r, "lanes/a", { "a.txt": "a\n" });
    const b = await commitOnBranch(r, "lanes/b", { "b.txt": "b\n" });
    const first = await mergeInto(r.git, {
      target: TARGET,
      source: a,
      message: "merge a",
      descendsFrom: base,
    });
    expect(first.ok && (await show(r, `${TARGET}:a.txt`))).toBe("a");
    const parents = (await r.git.run(["rev-list", "--parents", "-n1", TARGET])).stdout.split(" ");
    expect(parents).toEqual([first.ok && first.commit, base, a]);
    // The target moved since b started: the hint does not apply, b is merged with a's work kept.
    const second = await mergeInto(r.git, {
      target: TARGET,
      source: b,
      message: "merge b",
      descendsFrom: base,
    });
    expect(second).toMatchObject({ ok: true });
    expect(await show(r, `${TARGET}:a.txt`)).toBe("a");
    expect(await show(r, `${TARGET}:b.txt`)).toBe("b");
  });

  it("merges lanes ready together in one pass: one ref update, a conflict failing only its own", async () => {
    const r = await setup({ "shared.txt": "base\n" });
    const before = await resolveCommit(r.git, TARGET);
    const a = await commitOnBranch(r, "lanes/a", { "a.txt": "a\n" });
    const clash1 = await commitOnBranch(r, "lanes/c1", { "shared.txt": "one\n" });
    const b = await commitOnBranch(r, "lanes/b", { "b.txt": "b\n" });
    const clash2 = await commitOnBranch(r, "lanes/c2", { "shared.txt": "two\n" });
    const merges = await Promise.all(
      [a, clash1, b, clash2].map((source, i) =>
        mergeInto(r.git, { target: TARGET, source, message: `merge ${i}` }),
      ),
    );
    expect(merges.map((m) => m.ok)).toEqual([true, true, true, false]);
    expect(merges[3]).toEqual({ ok: false, conflicts: ["shared.txt"] });
    const tip = await resolveCommit(r.git, TARGET);
    expect(merges[2]!.ok && merges[2]!.commit).toBe(tip);
    expect(await show(r, `${TARGET}:shared.txt`)).toBe("one");
    expect(await show(r, `${TARGET}:b.txt`)).toBe("b");
    // Each merge once, in order, as a chain of merge commits.
    const firstParents = (
      await r.git.run(["rev-list", "--first-parent", `${before}..${TARGET}`])
    ).stdout.split("\n");
    expect(firstParents).toEqual([2, 1, 0].map((i) => merges[i]!.ok && merges[i]!.commit));
    // Asked for together, they went in one pass: the branch moved once after its creation.
    const moves = (
      await r.git.run(["reflog", "show", "--format=%H", `refs/heads/${TARGET}`])
    ).stdout
      .split("\n")
      .filter(Boolean);
    expect(moves).toHaveLength(2);
    expect(moves[0]).toBe(tip);
  });

  it("returns the conflicted files and leaves the target where it was", async () => {
    const r = await setup({ "x.txt": "base\n", "y z.txt": "base\n" });
    await commitOnBranch(r, "lanes/a", { "x.txt": "a\n", "y z.txt": "a\n" });
    await commitOnBranch(r, "lanes/b", { "x.txt": "b\n", "y z.txt": "b\n" });
    await mergeInto(r.git, { target: TARGET, source: "lanes/a", message: "merge a" });
    const before = await resolveCommit(r.git, TARGET);
    const result = await mergeInto(r.git, { target: TARGET, source: "lanes/b", message: "b" });
    expect(result).toEqual({ ok: false, conflicts: ["x.txt", "y z.txt"] });
    expect(await resolveCommit(r.git, TARGET)).toBe(before);
  });

  it("writes extra files into the merge commit", async () => {
    const r = await setup({ ".lanes/tasks/a.md": "---\nstatus: ready\n---\nbody\n" });
    await commitOnBranch(r, "lanes/a", { "a.txt": "a\n" });
    const result = await mergeInto(r.git, {
      target: TARGET,
      source: "lanes/a",
      message: "merge a",
      extraFiles: [
        { path: ".lanes/tasks/a.md", content: (old) => old!.replace("ready", "done") },
        { path: "notes/new.md", content: "new\n\n" },
      ],
    });
    expect(result.ok).toBe(true);
    const files = (
      await r.git.run(["show", "--name-only", "--format=", "-m", "--first-parent", TARGET])
    ).stdout;
    expect(files.split("\n").sort()).toEqual([".lanes/tasks/a.md", "a.txt", "notes/new.md"]);
    expect(await show(r, `${TARGET}:.lanes/tasks/a.md`)).toBe("---\nstatus: done\n---\nbody");
    const raw = await r.git.run(["cat-file", "blob", `${TARGET}:notes/new.md`], { raw: true });
    expect(raw.stdout).toBe("new\n\n");
  });

  it("changes no file when the source is already merged", async () => {
    const r = await setup();
    const tip = await resolveCommit(r.git, TARGET);
    await createBranch(r.git, "lanes/empty", tip);
    const result = await mergeInto(r.git, { target: TARGET, source: "lanes/empty", message: "m" });
    expect(result.ok).toBe(true);
    const trees = await r.git.run(["rev-parse", `${tip}^{tree}`, `${TARGET}^{tree}`]);
    const [before, after] = trees.stdout.split("\n");
    expect(after).toBe(before);
  });

  it("commits files onto the branch as a one-parent commit (a failed task's record)", async () => {
    const r = await setup();
    const tip = await resolveCommit(r.git, TARGET);
    const commit = await commitFiles(r.git, {
      target: TARGET,
      message: "status",
      files: [{ path: "s.md", content: (current) => `${current ?? "new"}: failed` }],
    });
    const parents = (await r.git.run(["rev-list", "--parents", "-n1", TARGET])).stdout.split(" ");
    expect(parents).toEqual([commit, tip]);
    expect((await r.git.run(["show", `${TARGET}:s.md`])).stdout).toBe("new: failed");
  });

  it("fails with E_GIT when the target moves during the merge (compare-and-swap)", async () => {
    const r = await setup();
    await commitOnBranch(r, "lanes/a", { "a.txt": "a" });
    const moved = await commitOnBranch(r, "elsewhere", { "e.txt": "e" });
    const realRun = r.git.run.bind(r.git);
    vi.spyOn(r.git, "run").mockImplementation(async (args, opts) => {
      if (args.includes("commit-tree"))
        await realRun(["update-ref", `refs/heads/${TARGET}`, moved]);
      return realRun(args, opts);
    });
    await expect(
      mergeInto(r.git, { target: TARGET, source: "lanes/a", message: "m" }),
    ).rejects.toMatchObject({ code: "E_GIT", message: expect.stringContaining("moved") });
    expect(await resolveCommit(r.git, TARGET)).toBe(moved);
  });

  it("refuses invalid extra file paths", async () => {
    const r = await setup();
    await commitOnBranch(r, "lanes/a", { "a.txt": "a" });
    for (const bad of ["../x", "/etc/passwd", ".git/config"]) {
      await expect(
        mergeInto(r.git, {
          target: TARGET,
          source: "lanes/a",
          message: "m",
          extraFiles: [{ path: bad, content: "x" }],
        }),
      ).rejects.toMatchObject({ code: "E_GIT" });
    }
  });
});

describe("commitAll and changedSince", () => {
  async function lane(r: TestRepo) {
    const base = await headCommit(r.git);
    const root = worktreeRoot(r.root);
    const l = await addLane(r.git, {
      root,
      path: path.join(root, "t01"),
      branch: "lanes/t01",
      startPoint: base,
    });
    return { base, path: l.path };
  }

  it("commits nothing when nothing changed", async () => {
    const r = await setup();
    const l = await lane(r);
    expect(await changedSince(r.git, l.path, l.base)).toBe(false);
    expect(await commitAll(r.git, l.path, "lanes: t01")).toEqual({
      committed: false,
      commit: l.base,
      before: l.base,
    });
  });

  it("commits new, changed and deleted files", async () => {
    const r = await setup({ "old.txt": "old", "README.md": "r" });
    const l = await lane(r);
    await writeFile(path.join(l.path, "new.txt"), "n");
    await writeFile(path.join(l.path, "README.md"), "changed");
    await r.git.run(["rm", "--quiet", "old.txt"], { cwd: l.path });
    expect(await changedSince(r.git, l.path, l.base)).toBe(true);
    const result = await commitAll(r.git, l.path, "lanes: t01\n\nleft by the agent");
    expect(result.committed).toBe(true);
    expect(result.commit).toBe(await resolveCommit(r.git, "lanes/t01"));
    const files = (await r.git.run(["show", "--name-status", "--format=%an <%ae>", result.commit]))
      .stdout;
    expect(files).toContain("Test <test@example.com>");
    expect(files).toMatch(/A\tnew.txt/);
    expect(files).toMatch(/D\told.txt/);
    expect(await changedSince(r.git, l.path, l.base)).toBe(true);
  });

  it("leaves out what it is told to: a linked folder and a copied file, wherever they sit", async () => {
    const r = await setup({ ".gitignore": "node_modules/\n" });
    await mkdir(path.join(r.root, "node_modules"));
    const l = await lane(r);
    // A symlink is no folder to git: `node_modules/` does not ignore it.
    await symlink(path.join(r.root, "node_modules"), path.join(l.path, "node_modules"));
    await mkdir(path.join(l.path, "config"));
    await writeFile(path.join(l.path, "config", "local.env"), "SECRET=1");
    await writeFile(path.join(l.path, "work.txt"), "w");
    const result = await commitAll(r.git, l.path, "lanes: t01", [
      "node_modules",
      "config/local.env",
    ]);
    const files = (await r.git.run(["show", "--name-only", "--format=", result.commit])).stdout;
    expect(files.split("\n").filter(Boolean)).toEqual(["work.txt"]);
  });

  it("commits as lanes when the repository has no identity", async () => {
    const r = await setup();
    const empty = path.join(r.dir, "empty-gitconfig");
    await writeFile(empty, "");
    vi.stubEnv("GIT_CONFIG_GLOBAL", empty);
    vi.stubEnv("GIT_CONFIG_NOSYSTEM", "1");
    await r.git.run(["config", "--unset", "user.name"]);
    await r.git.run(["config", "--unset", "user.email"]);
    const l = await lane(r);
    await writeFile(path.join(l.path, "new.txt"), "n");
    const result = await commitAll(r.git, l.path, "lanes: t01");
    const author = (await r.git.run(["log", "-1", "--format=%an <%ae>", result.commit])).stdout;
    expect(author).toBe("lanes <lanes@localhost>");
  });
});

describe("fastForward", () => {
  it("fast-forwards the branch checked out in a clean main checkout", async () => {
    const r = await setup();
    const tip = await commitOnBranch(r, TARGET, { "a.txt": "a" });
    expect(await fastForward(r.git, { branch: "main", to: TARGET, mainCheckout: r.root })).toEqual({
      updated: true,
      commit: tip,
    });
    expect(await headCommit(r.git)).toBe(tip);
    expect((await r.git.run(["status", "--porcelain"])).stdout).toBe("");
  });

  it("refuses a dirty main checkout", async () => {
    const r = await setup();
    const before = await headCommit(r.git);
    await commitOnBranch(r, TARGET, { "a.txt": "a" });
    await writeFile(path.join(r.root, "README.md"), "edited");
    await expect(
      fastForward(r.git, { branch: "main", to: TARGET, mainCheckout: r.root }),
    ).rejects.toMatchObject({ code: "E_GIT", message: expect.stringContaining("README.md") });
    expect(await resolveCommit(r.git, "main")).toBe(before);
  });

  it("moves a branch that is not checked out with update-ref", async () => {
    const r = await setup();
    await createBranch(r.git, "release", await headCommit(r.git));
    const tip = await commitOnBranch(r, TARGET, { "a.txt": "a" });
    await fastForward(r.git, { branch: "release", to: TARGET, mainCheckout: r.root });
    expect(await resolveCommit(r.git, "release")).toBe(tip);
  });

  it("refuses when the branch has diverged, and when it is checked out elsewhere", async () => {
    const r = await setup();
    await commitOnBranch(r, TARGET, { "a.txt": "a" });
    await commitOnBranch(r, "release", { "r.txt": "r" });
    await expect(
      fastForward(r.git, { branch: "release", to: TARGET, mainCheckout: r.root }),
    ).rejects.toMatchObject({ code: "E_GIT", message: expect.stringContaining("commits that") });

    const root = worktreeRoot(r.root);
    await addLane(r.git, {
      root,
      path: path.join(root, "other"),
      branch: "other",
      startPoint: "main",
    });
    await expect(
      fastForward(r.git, { branch: "other", to: TARGET, mainCheckout: r.root }),
    ).rejects.toMatchObject({ code: "E_GIT", message: expect.stringContaining("checked out at") });
  });

  it("does nothing when the branch is already there", async () => {
    const r = await setup();
    const tip = await resolveCommit(r.git, TARGET);
    expect(await fastForward(r.git, { branch: "main", to: TARGET, mainCheckout: r.root })).toEqual({
      updated: false,
      commit: tip,
    });
  });
});
