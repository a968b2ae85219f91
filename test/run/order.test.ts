// `lanes run` end to end: dependency order on a DAG with a diamond and a chain, what each lane
// sees of its dependencies' work, what is left on disk, and the concurrency limit held and reached.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import {
  git,
  indexOf,
  laneBranches,
  maxOverlap,
  readRun,
  readStarts,
  runRepo,
  saw,
  type TaskSpec,
  worktreeCount,
} from "./helpers.js";

// Diamond: base <- {left, right} <- join. Chain: c1 <- c2 <- c3. solo stands alone.
const DAG: Record<string, TaskSpec> = {
  base: {},
  left: { deps: ["base"] },
  right: { deps: ["base"] },
  join: { deps: ["left", "right"] },
  c1: {},
  c2: { deps: ["c1"] },
  c3: { deps: ["c2"] },
  solo: {},
};

function ancestors(id: string, seen = new Set<string>()): Set<string> {
  for (const dep of DAG[id]?.deps ?? []) {
    seen.add(dep);
    ancestors(dep, seen);
  }
  return seen;
}

describe("lanes run: dependency order", () => {
  it("starts every task after its dependencies merged, and each lane sees their work", async () => {
    const ids = Object.keys(DAG);
    const plan = Object.fromEntries(
      ids.map((id, i) => [
        id,
        { sleepMs: 100 + (i % 3) * 100, files: { [`src/${id}.ts`]: `export const ${id} = 1;\n` } },
      ]),
    );
    const repo = await runRepo({ tasks: DAG, plan, settings: { concurrency: 3 } });

    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);

    const { id: runId, state, events } = await readRun(repo.root);
    const integration = `lanes/run/${runId}`;
    expect(state.status).toBe("done");
    expect(state.integrationBranch).toBe(integration);

    // Every agent ran once, and only after all its dependencies were merged.
    expect(
      readStarts(repo.startsFile)
        .map((s) => `${s.task} ${s.attempt}`)
        .sort(),
    ).toEqual(ids.map((id) => `${id} 1`).sort());
    for (const id of ids) {
      expect(state.tasks[id]?.status, id).toBe("done");
      const started = indexOf(events, "task_started", id);
      expect(started, `${id} started`).toBeGreaterThan(-1);
      for (const dep of DAG[id]?.deps ?? []) {
        const merged = indexOf(events, "task_merged", dep);
        expect(merged, `${dep} merged`).toBeGreaterThan(-1);
        expect(merged, `${dep} merged before ${id} started`).toBeLessThan(started);
      }
    }

    // Each lane started from the integration branch with its (transitive) dependencies' work.
    for (const id of ids) {
      const seen = await saw(repo, integration, id);
      for (const dep of ancestors(id)) expect(seen, `${id} saw`).toContain(`${dep}.txt`);
    }

    // The integration branch holds every task's files, and every task file says done.
    const tree = (await git(repo, ["ls-tree", "-r", "--name-only", integration])).split("\n");
    for (const id of ids) {
      expect(tree).toContain(`src/${id}.ts`);
      expect(tree).toContain(`lanes-out/${id}.txt`);
      const taskFile = await git(repo, ["show", `${integration}:.lanes/tasks/${id}.md`]);
      expect(taskFile, id).toMatch(/^status: done$/m);
    }

    // Nothing to clean up: only the main checkout, no lane branch, the checkout untouched.
    expect(await worktreeCount(repo)).toBe(1);
    expect(await laneBranches(repo)).toEqual([]);
    const laneFolder = path.join(repo.dir, ".lanes-worktrees", "repo");
    // Only the worktree pool: finished lanes kept, detached and clean, for the next run.
    expect(existsSync(laneFolder) ? readdirSync(laneFolder) : []).toEqual([".pool"]);
    const pool = readdirSync(path.join(laneFolder, ".pool"));
    expect(pool.length).toBeGreaterThan(0);
    for (const slot of pool) {
      expect(
        await git(repo, [
          "-C",
          path.join(laneFolder, ".pool", slot),
          "status",
          "--porcelain",
          "--branch",
        ]),
      ).toMatch(/^## HEAD \(no branch\)$/);
    }
    expect(await git(repo, ["status", "--porcelain"])).toBe("");
    expect(await git(repo, ["rev-parse", "--abbrev-ref", "HEAD"])).toBe("main");
  });
});

describe("lanes run: the concurrency limit", () => {
  it("runs 8 independent tasks at --concurrency 3 with exactly 3 agents at most at once", async () => {
    const tasks = Object.fromEntries(
      Array.from({ length: 8 }, (_, i) => [`t${i + 1}`, {} as TaskSpec]),
    );
    const repo = await runRepo({ tasks, plan: { "*": { sleepMs: 600 } } });

    const result = await runCli(["run", "--concurrency", "3"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);

    const { state, events } = await readRun(repo.root);
    expect(Object.values(state.tasks).map((t) => t.status)).toEqual(Array(8).fill("done"));
    expect(events.filter((e) => e.type === "task_started")).toHaveLength(8);
    expect(maxOverlap(events)).toBe(3);
    expect(readStarts(repo.startsFile)).toHaveLength(8);
  });
});
