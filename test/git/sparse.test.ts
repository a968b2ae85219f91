// Sparse lanes at the git level (src/git/sparse.ts): a pooled lane given a cone, or the whole
// tree, looks exactly like a fresh lane made the same way, whatever sparse state the previous
// task left (a cone of lanes', the agent's own `git sparse-checkout`, an index of version 4).
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WorktreePool } from "../../src/git/pool.js";
import { headCommit } from "../../src/git/repo.js";
import type { Git } from "../../src/git/runner.js";
import { addLane, lanePath, worktreeRoot } from "../../src/git/worktrees.js";
import { laneBranchName } from "../../src/names.js";
import { makeRepo, type TestRepo } from "../helpers/git-repo.js";

let repo: TestRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

async function setup(config: string[][] = []) {
  repo = await makeRepo({
    "README.md": "# monorepo\n",
    "packages/web/index.ts": "web\n",
    "packages/web/src/app.ts": "app\n",
    "packages/api/index.ts": "api\n",
    "tools/build.sh": "build\n",
  });
  for (const [key, value] of config) await repo.git.run(["config", key!, value!]);
  const root = worktreeRoot(repo.root);
  const base = await headCommit(repo.git);
  const pool = new WorktreePool(repo.git, { root, size: 2 });
  const fresh = (id: string, sparse?: string[]) =>
    addLane(repo!.git, {
      root,
      path: lanePath(root, id),
      branch: laneBranchName(id),
      startPoint: base,
      ...(sparse ? { sparse } : {}),
    });
  const pooled = (id: string, sparse?: string[]) =>
    pool.take(lanePath(root, id), laneBranchName(id), base, sparse);
  return { git: repo.git, base, pool, fresh, pooled };
}

/** What the agent (and git in the lane) sees: files, index marks, status, sparse state. */
async function view(git: Git, lane: string) {
  const run = async (...args: string[]) => {
    const result = await git.run(args, { cwd: lane, allowFail: true });
    return `${result.exitCode} ${result.stdout}${result.stderr}`;
  };
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name === ".git") continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files.push(path.relative(lane, full));
    }
  };
  await walk(lane);
  return {
    files: files.sort(),
    marks: await run("ls-files", "-t"),
    status: (await run("status", "--porcelain=v2", "--ignored")).trim(),
    sparse: await run("sparse-checkout", "list"),
  };
}

describe("a pooled lane matches a fresh one made the same way", () => {
  it("given another cone than the previous task's", async () => {
    const ctx = await setup();
    const first = await ctx.fresh("first", ["packages/web"]);
    expect((await view(ctx.git, first.path)).files).toEqual([
      "README.md",
      "packages/web/index.ts",
      "packages/web/src/app.ts",
    ]);
    expect(await ctx.pool.give(first.path, first.head)).toBe(true);

    const pooled = await ctx.pooled("next", ["packages/api", "tools"]);
    const fresh = await ctx.fresh("control", ["packages/api", "tools"]);
    const seen = await view(ctx.git, pooled!.path);
    expect(seen.files).toEqual(["README.md", "packages/api/index.ts", "tools/build.sh"]);
    expect(seen).toEqual(await view(ctx.git, fresh.path));
  });

  it("given the whole tree after the agent's own git sparse-checkout", async () => {
    const ctx = await setup();
    const first = await ctx.fresh("first");
    await ctx.git.run(["sparse-checkout", "set", "--cone", "tools"], { cwd: first.path });
    expect((await view(ctx.git, first.path)).files).toEqual(["README.md", "tools/build.sh"]);
    expect(await ctx.pool.give(first.path, first.head)).toBe(true);

    const pooled = await ctx.pooled("next");
    const fresh = await ctx.fresh("control");
    const seen = await view(ctx.git, pooled!.path);
    expect(seen.files).toHaveLength(5);
    expect(seen).toEqual(await view(ctx.git, fresh.path));
  });

  it("given the whole tree after a cone, where the index is version 4", async () => {
    const ctx = await setup([["index.version", "4"]]);
    const first = await ctx.fresh("first", ["packages/web"]);
    expect(await ctx.pool.give(first.path, first.head)).toBe(true);
    const pooled = await ctx.pooled("next");
    const fresh = await ctx.fresh("control");
    expect((await view(ctx.git, pooled!.path)).files).toHaveLength(5);
    expect(await view(ctx.git, pooled!.path)).toEqual(await view(ctx.git, fresh.path));
    // A complete lane given back and taken again stays complete (the restore finds nothing).
    expect(await ctx.pool.give(pooled!.path, pooled!.head)).toBe(true);
    const again = await ctx.pooled("again");
    expect(await view(ctx.git, again!.path)).toEqual(await view(ctx.git, fresh.path));
  });

  it("leaves the main checkout whole and not sparse", async () => {
    const ctx = await setup();
    await ctx.fresh("first", ["packages/web"]);
    const main = await view(ctx.git, repo!.root);
    expect(main.files).toHaveLength(5);
    expect(main.sparse).toMatch(/^128 .*not sparse/);
  });
});
