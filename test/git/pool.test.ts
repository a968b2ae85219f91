// The worktree pool: a lane made from a pooled worktree is the same as a fresh one whatever the
// previous task left, a pooled worktree is never handed out twice or half-reset, and kills at
// any moment leave a pool that still only hands out complete lanes.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { POOL_DIR, WorktreePool } from "../../src/git/pool.js";
import { currentBranch, headCommit } from "../../src/git/repo.js";
import type { Git } from "../../src/git/runner.js";
import { addLane, lanePath, listWorktrees, worktreeRoot } from "../../src/git/worktrees.js";
import { laneBranchName } from "../../src/names.js";
import { PROJECT_ROOT } from "../helpers/cli.js";
import { makeRepo, type TestRepo, writeFiles } from "../helpers/git-repo.js";

let repo: TestRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

async function setup(size = 2) {
  repo = await makeRepo({
    "README.md": "# test\n",
    "src/app.ts": "export const x = 1;\n",
    ".gitignore": "build/\n*.log\n",
  });
  const root = worktreeRoot(repo.root);
  const base = await headCommit(repo.git);
  const pool = new WorktreePool(repo.git, { root, size });
  const fresh = (id: string, startPoint = base) =>
    addLane(repo!.git, {
      root,
      path: lanePath(root, id),
      branch: laneBranchName(id),
      startPoint,
    });
  return { repo, root, base, pool, fresh };
}

/** Everything an agent could look at in its lane, except which folder git keeps its record in. */
async function view(git: Git, lane: string) {
  const run = async (...args: string[]) => (await git.run(args, { cwd: lane })).stdout;
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name === ".git") continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files.push(`${path.relative(lane, full)}=${await readFile(full, "utf8")}`);
    }
  };
  await walk(lane);
  return {
    files: files.sort(),
    head: await run("rev-parse", "HEAD"),
    branch: await run("symbolic-ref", "HEAD"),
    index: await run("ls-files", "--stage", "--debug"),
    status: await run("status", "--porcelain=v2", "--branch", "--ignored"),
    stash: await run("stash", "list"),
    state: await run("rev-parse", "-q", "--verify", "MERGE_HEAD").catch(() => "none"),
  };
}

/** ls-files --debug has timestamps and inode numbers that differ between any two checkouts. */
function comparable(v: Awaited<ReturnType<typeof view>>) {
  return {
    ...v,
    branch: "",
    index: v.index.split("\n").filter((line) => !/^\s/.test(line)),
    // The branch is named after the task, as in any lane; the rest of the status must match.
    status: v.status.replace(/^# branch\.head .*$/m, ""),
  };
}

/** Gives a lane that a task used back to the pool, as the run does once its work is merged. */
async function useAndGiveBack(
  ctx: Awaited<ReturnType<typeof setup>>,
  id: string,
  leave: (lane: string, git: Git) => Promise<void>,
) {
  const lane = await ctx.fresh(id);
  await leave(lane.path, ctx.repo.git);
  expect(await ctx.pool.give(lane.path, lane.head)).toBe(true);
  expect(existsSync(lane.path)).toBe(false);
}

const LEFTOVERS: Record<string, (lane: string, git: Git) => Promise<void>> = {
  "a file the previous task created and committed, and one it did not commit": async (l, git) => {
    await writeFiles(l, { "src/new.ts": "new\n", "src/app.ts": "changed\n" });
    await git.run(["add", "-A"], { cwd: l });
    await git.run(["commit", "-qm", "work"], { cwd: l });
    await writeFiles(l, { "scratch.txt": "left\n", "deep/er/file.txt": "left\n" });
  },
  "an ignored file and folder it left": async (l) => {
    await writeFiles(l, { "build/out.js": "built\n", "debug.log": "log\n" });
  },
  "a changed index": async (l, git) => {
    await writeFiles(l, { "staged.ts": "staged\n", "src/app.ts": "staged change\n" });
    await git.run(["add", "staged.ts", "src/app.ts"], { cwd: l });
    await git.run(["update-index", "--chmod=+x", "README.md"], { cwd: l });
  },
  "a stash": async (l, git) => {
    await writeFiles(l, { "src/app.ts": "stashed change\n" });
    await git.run(["stash", "push", "-q", "-m", "previous task"], { cwd: l });
    await writeFiles(l, { "README.md": "changed after the stash\n" });
  },
  "a detached HEAD": async (l, git) => {
    await writeFiles(l, { "detached.ts": "x\n" });
    await git.run(["add", "-A"], { cwd: l });
    await git.run(["commit", "-qm", "on the branch"], { cwd: l });
    await git.run(["checkout", "-q", "--detach", "HEAD~1"], { cwd: l });
  },
  "a merge left half done, with conflicts": async (l, git) => {
    await git.run(["checkout", "-q", "-b", "side"], { cwd: l });
    await writeFiles(l, { "src/app.ts": "side\n" });
    await git.run(["commit", "-qam", "side"], { cwd: l });
    await git.run(["checkout", "-q", "-"], { cwd: l });
    await writeFiles(l, { "src/app.ts": "ours\n" });
    await git.run(["commit", "-qam", "ours"], { cwd: l });
    await git.run(["merge", "side"], { cwd: l, allowFail: true });
  },
};

describe("a lane from the pool is indistinguishable from a fresh one", () => {
  for (const [leftover, leave] of Object.entries(LEFTOVERS)) {
    it(`after ${leftover}`, async () => {
      const ctx = await setup();
      await useAndGiveBack(ctx, "previous", leave);
      const root = ctx.root;
      const pooled = await ctx.pool.take(lanePath(root, "next"), laneBranchName("next"), ctx.base);
      expect(pooled).toEqual({
        path: lanePath(root, "next"),
        branch: laneBranchName("next"),
        head: ctx.base,
      });
      const fresh = await ctx.fresh("control");
      const a = comparable(await view(ctx.repo.git, pooled!.path));
      const b = comparable(await view(ctx.repo.git, fresh.path));
      expect(a).toEqual(b);
      expect(await currentBranch(ctx.repo.git, pooled!.path)).toBe(laneBranchName("next"));
      expect(a.files).toContain("src/app.ts=export const x = 1;\n");
      expect(a.status).not.toMatch(/^[12u?!] /m);
      // The pool is empty again, and the lane is a registered worktree at its own path.
      expect(await ctx.pool.take(lanePath(root, "other"), "lanes/other", ctx.base)).toBeUndefined();
      const registered = (await listWorktrees(ctx.repo.git)).map((wt) => wt.path);
      expect(registered).toContain(pooled!.path);
    });
  }

  it("starts a lane at any base: the integration head that moved since", async () => {
    const ctx = await setup();
    await useAndGiveBack(ctx, "previous", LEFTOVERS["an ignored file and folder it left"]!);
    await writeFiles(ctx.repo.root, { "src/app.ts": "moved on\n" });
    await ctx.repo.git.run(["commit", "-qam", "moved"]);
    const moved = await headCommit(ctx.repo.git);
    const lane = await ctx.pool.take(lanePath(ctx.root, "next"), "lanes/next", moved);
    expect(await readFile(path.join(lane!.path, "src/app.ts"), "utf8")).toBe("moved on\n");
    expect(await headCommit(ctx.repo.git, lane!.path)).toBe(moved);
  });
});

describe("bounds and sharing", () => {
  it("keeps at most pool.size worktrees, hands each out once, and survives a new pool object", async () => {
    const ctx = await setup(2);
    const lanes = await Promise.all(["a", "b", "c"].map((id) => ctx.fresh(id)));
    const kept = await Promise.all(lanes.map((lane) => ctx.pool.give(lane.path, lane.head)));
    expect(kept.filter(Boolean)).toHaveLength(2);
    expect(await readdir(path.join(ctx.root, POOL_DIR))).toHaveLength(2);
    // The next run's pool reads what is on disk; parallel takes never share a worktree.
    const next = new WorktreePool(ctx.repo.git, { root: ctx.root, size: 2 });
    const taken = await Promise.all(
      ["d", "e", "f"].map((id) => next.take(lanePath(ctx.root, id), `lanes/${id}`, ctx.base)),
    );
    expect(taken.filter(Boolean).map((lane) => lane!.path)).toHaveLength(2);
    expect(await readdir(path.join(ctx.root, POOL_DIR))).toEqual([]);
  });

  it("size 0 keeps nothing", async () => {
    const ctx = await setup(0);
    const lane = await ctx.fresh("a");
    expect(await ctx.pool.give(lane.path, lane.head)).toBe(false);
    expect(existsSync(lane.path)).toBe(true);
  });

  it("drops a pooled folder whose git record is gone instead of handing it out", async () => {
    const ctx = await setup();
    await useAndGiveBack(ctx, "a", async () => {});
    const [slot] = await readdir(path.join(ctx.root, POOL_DIR));
    await writeFile(path.join(ctx.root, POOL_DIR, slot!, ".git"), "gitdir: /nowhere/worktrees/x\n");
    const next = new WorktreePool(ctx.repo.git, { root: ctx.root, size: 2 });
    expect(await next.take(lanePath(ctx.root, "b"), "lanes/b", ctx.base)).toBeUndefined();
    expect(await readdir(path.join(ctx.root, POOL_DIR))).toEqual([]);
  });
});

describe("kills", () => {
  it("finishes a move that a kill interrupted, so git keeps its record of the worktree", async () => {
    const ctx = await setup();
    const lane = await ctx.fresh("a");
    // What a kill right after the rename leaves: the record locked, pointing at the old place.
    const admin = (await readFile(path.join(lane.path, ".git"), "utf8")).slice(8).trim();
    const to = path.join(ctx.root, POOL_DIR, "0a1b2c3d");
    await writeFile(path.join(admin, "locked"), `lanes pool: moving\n${lane.path}\n${to}\n`);
    await mkdir(path.dirname(to), { recursive: true });
    await ctx.repo.git.run(["worktree", "prune"]); // the lock keeps prune off it
    const { rename } = await import("node:fs/promises");
    await rename(lane.path, to);
    await writeFile(path.join(admin, "HEAD"), `${lane.head}\n`);
    const next = new WorktreePool(ctx.repo.git, { root: ctx.root, size: 2 });
    const taken = await next.take(lanePath(ctx.root, "b"), "lanes/b", ctx.base);
    expect(taken?.path).toBe(lanePath(ctx.root, "b"));
    expect(existsSync(path.join(admin, "locked"))).toBe(false);
    expect((await listWorktrees(ctx.repo.git)).map((wt) => wt.path)).toContain(taken!.path);
  });

  it("after kill -9 at random moments of giving and taking, the pool only hands out complete lanes", async () => {
    const ctx = await setup(6);
    // Six lanes in the pool to begin with: a kill strands at most the one lane in flight, so
    // some are still pooled after the four rounds, and they must be complete.
    for (const id of ["s1", "s2", "s3", "s4", "s5", "s6"]) {
      await useAndGiveBack(ctx, id, async () => {});
    }
    // A child process gives and takes lanes in a loop until it is killed.
    const script = `
      import { WorktreePool } from ${JSON.stringify(path.join(PROJECT_ROOT, "dist/git/pool.js"))};
      import { Git } from ${JSON.stringify(path.join(PROJECT_ROOT, "dist/git/runner.js"))};
      import { addLane } from ${JSON.stringify(path.join(PROJECT_ROOT, "dist/git/worktrees.js"))};
      import { writeFileSync } from "node:fs";
      const [root, repoRoot, base, round] = process.argv.slice(1);
      const git = new Git(repoRoot);
      const pool = new WorktreePool(git, { root, size: 6 });
      for (let i = 0; ; i++) {
        const id = "t" + round + "-" + i;
        const lane = root + "/" + id;
        const got = (await pool.take(lane, "lanes/" + id, base)) ??
          (await addLane(git, { root, path: lane, branch: "lanes/" + id, startPoint: base }));
        writeFileSync(lane + "/left-" + id + ".txt", "x");
        writeFileSync(lane + "/build-" + id + ".log", "x");
        process.stdout.write(".");
        await pool.give(lane, got.head);
      }
    `;
    for (let round = 0; round < 4; round++) {
      const child = spawn(
        process.execPath,
        ["--input-type=module", "-e", script, ctx.root, ctx.repo.root, ctx.base, String(round)],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      // Killed after a varying number of completed cycles, at whatever step it is in.
      await new Promise<void>((resolve) => {
        let dots = 0;
        child.stdout.on("data", (chunk: Buffer) => {
          dots += chunk.length;
          if (dots >= 1 + round) setTimeout(() => child.kill("SIGKILL"), round * 7);
        });
        child.on("exit", () => resolve());
      });
    }
    // Every worktree the pool hands out now is complete and clean.
    const next = new WorktreePool(ctx.repo.git, { root: ctx.root, size: 6 });
    const fresh = comparable(await view(ctx.repo.git, (await ctx.fresh("control")).path));
    let handedOut = 0;
    for (let i = 0; i < 6; i++) {
      const lane = await next.take(lanePath(ctx.root, `after-${i}`), `lanes/after-${i}`, ctx.base);
      if (!lane) break;
      handedOut++;
      const seen = comparable(await view(ctx.repo.git, lane.path));
      expect(seen).toEqual(fresh);
    }
    expect(handedOut).toBeGreaterThanOrEqual(2);
    // Nothing git still records is lost: every registered worktree's folder exists or is prunable.
    for (const wt of await listWorktrees(ctx.repo.git)) {
      expect(existsSync(wt.path) || wt.prunable).toBe(true);
    }
  });
});
