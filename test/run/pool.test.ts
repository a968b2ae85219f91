// The worktree pool end to end: a run leaves its merged lanes in the pool, the next run makes its
// lanes from them (no `git worktree add`) with nothing of the previous task in sight, `pool.size`
// 0 keeps nothing, and `lanes clean` removes the pool.
import { existsSync, readdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { git, runIds, runRepo, saw } from "./helpers.js";

const poolOf = (dir: string) => path.join(dir, ".lanes-worktrees", "repo", ".pool");
/** git's records of worktrees: one per folder git ever added and still knows. */
const records = (root: string) => {
  const dir = path.join(root, ".git", "worktrees");
  return existsSync(dir) ? readdirSync(dir).sort() : [];
};

describe("lanes run with the worktree pool", () => {
  it("makes the next run's lanes from the last run's worktrees, which show nothing of it", async () => {
    const repo = await runRepo({
      tasks: { first: {}, second: {} },
      plan: { "*": { files: {} } },
      settings: { concurrency: 1 },
    });
    const one = await runCli(["run", "first"], { cwd: repo.root });
    expect(one.exitCode, one.stdout + one.stderr).toBe(0);
    expect(readdirSync(poolOf(repo.dir))).toHaveLength(1);
    expect(records(repo.root)).toEqual(["first"]);
    // Something in the pooled worktree that is no commit's: lanes' `add -A` would commit it.
    const [slot] = readdirSync(poolOf(repo.dir));
    await writeFile(path.join(poolOf(repo.dir), slot!, "stray.txt"), "left\n");

    const two = await runCli(["run", "second"], { cwd: repo.root });
    expect(two.exitCode, two.stdout + two.stderr).toBe(0);
    // No new worktree: the second lane was the first one's folder, back in the pool now.
    expect(records(repo.root)).toEqual(["first"]);
    expect(readdirSync(poolOf(repo.dir))).toHaveLength(1);
    // It started from main, without the first run's unlanded work or anything left in the pool.
    const runId = runIds(repo.root).sort().at(-1)!;
    const seen = await saw(repo, `lanes/run/${runId}`, "second");
    expect(seen).toEqual([]); // the lanes-out files present when its agent started
    const tree = await git(repo, ["ls-tree", "-r", "--name-only", `lanes/run/${runId}`]);
    expect(tree.split("\n")).not.toContain("stray.txt");
    expect(tree.split("\n")).not.toContain("lanes-out/first.txt");

    const clean = await runCli(["clean"], { cwd: repo.root });
    expect(clean.exitCode, clean.stdout + clean.stderr).toBe(0);
    expect(existsSync(poolOf(repo.dir))).toBe(false);
    expect(records(repo.root)).toEqual([]);
    // Fresh lanes were registered through a staging folder in .git: gone with the run.
    expect(existsSync(path.join(repo.root, ".git", "lanes-staging"))).toBe(false);
  });

  it("keeps nothing with pool.size 0", async () => {
    const repo = await runRepo({ tasks: { a: {}, b: {} }, settings: { pool: { size: 0 } } });
    const run = await runCli(["run"], { cwd: repo.root });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(existsSync(poolOf(repo.dir))).toBe(false);
    expect(records(repo.root)).toEqual([]);
  });

  it("refuses a bad pool setting before anything starts, naming it", async () => {
    const repo = await runRepo({ tasks: { a: {} }, settings: { pool: { size: -1 } } });
    const run = await runCli(["run"], { cwd: repo.root });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/pool/);
    expect(existsSync(path.join(repo.dir, ".lanes-worktrees"))).toBe(false);
  });
});
