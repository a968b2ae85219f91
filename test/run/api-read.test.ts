// The read-back half of the API from the built package, in this process: status(), logs(),
// clean(), check() and init() do what `lanes status|logs|clean|run --dry-run|init` print, without
// the CLI, and reject bad input with a LanesError instead of exiting.
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CleanAction, LogChunk } from "../../src/index.js";
import { cliEnv, type TempRepo, tempRepo } from "../helpers/cli.js";
import { scriptedRepo, task } from "../helpers/scripted-repo.js";
import { DIST_INDEX } from "./helpers.js";

type Api = typeof import("../../src/index.js");
const api = (await import(pathToFileURL(DIST_INDEX).href)) as Api;

async function collect(chunks: AsyncIterable<LogChunk>) {
  const seen: LogChunk[] = [];
  for await (const chunk of chunks) seen.push(chunk);
  const text = Buffer.concat(
    seen.flatMap((chunk) => (chunk.type === "output" ? [chunk.data] : [])),
  ).toString();
  return { seen, text };
}

describe("status(), logs(), clean() and check() from the package", () => {
  let repo: TempRepo;
  let runId: string;

  beforeAll(async () => {
    repo = await scriptedRepo(
      { good: task("Good"), bad: task("Bad"), after: task("After", "depends_on: [bad]\n") },
      { "*": { sleepMs: 40 }, bad: { sleepMs: 40, exit: 3, stderr: "bad: it broke" } },
    );
    const result = await api.run({ cwd: repo.root, env: cliEnv() });
    expect(result.status).toBe("failed");
    runId = result.runId;
  });
  afterAll(async () => {
    await repo?.cleanup();
  });

  it("status() returns what lanes status --json prints", async () => {
    const run = await api.status({ cwd: repo.root });
    expect(run).toMatchObject({ id: runId, status: "failed", live: false, crashed: false });
    expect(run.integration).toEqual({ exists: true, mergedIntoHead: false });
    expect(run.left).toMatchObject({ failed: 1, skipped: 1, tasks: ["after", "bad"] });
    expect(run.left.next).toContain(`lanes resume ${runId} --retry-failed`);
    // The failed lane's branch is kept; the merged one is gone.
    expect(run.lanes.bad).toEqual({ branch: true, worktree: true });
    expect(run.lanes.good).toEqual({ branch: false, worktree: false });
    expect(run.otherRuns).toEqual([]);
    expect(await api.status({ cwd: repo.root, runId: runId.slice(0, 15) })).toEqual(run);
    await expect(api.status({ cwd: repo.root, runId: "19990101" })).rejects.toMatchObject({
      code: "E_NO_RUN",
      exitCode: 2,
    });
  });

  it("logs() yields which log it is, then its bytes; a loop may stop early", async () => {
    const { seen, text } = await collect(api.logs({ cwd: repo.root, task: "bad" }));
    expect(seen[0]).toMatchObject({
      type: "log",
      runId,
      taskId: "bad",
      phase: "exec",
      attempt: 1,
      others: [],
      next: false,
    });
    expect(text).toContain("bad: it broke");
    for await (const chunk of api.logs({ cwd: repo.root, task: "good", follow: true })) {
      expect(chunk.type).toBe("log");
      break;
    }
    await expect(collect(api.logs({ cwd: repo.root, task: "nope" }))).rejects.toMatchObject({
      code: "E_TASK_UNKNOWN",
      exitCode: 2,
    });
    await expect(collect(api.logs({ cwd: repo.root, task: "after" }))).rejects.toThrow(
      /has no log yet .*it was skipped/,
    );
  });

  it("check() passes what run() would start, and throws what run() would throw", async () => {
    const checked = await api.check({ cwd: repo.root, env: cliEnv(), ids: ["bad"] });
    expect(checked.plan.tasks.map((task) => task.id)).toEqual(["bad"]);
    expect(checked.baseBranch).toBe("main");
    expect(checked.agents.bad?.name).toBe("command");
    await expect(
      api.check({ cwd: repo.root, env: cliEnv(), ids: ["missing"] }),
    ).rejects.toMatchObject({ exitCode: 2 });
  });

  it("clean() plans the same in a dry run, and asks before removing unmerged work", async () => {
    // The failed task's lane holds its uncommitted output: unmerged work, like its branches.
    const lane = (await api.status({ cwd: repo.root })).tasks.bad!.worktree!;
    const name = (action: CleanAction) => (action.kind === "branch" ? action.name : action.kind);
    const unmerged = ["worktree", "lanes/bad", `lanes/run/${runId}`];
    // The worktree pool (finished lanes kept for reuse) is safe to remove, with or without --all.
    const withoutPool = (actions: CleanAction[]) =>
      actions.filter((a) => !(a.kind === "worktree" && a.path.includes("/.pool/")));
    const dry = await api.clean({ cwd: repo.root, dryRun: true, all: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.unmerged.map(name)).toEqual(unmerged);
    expect(withoutPool(dry.removed).map(name)).toEqual(unmerged);
    expect(existsSync(lane)).toBe(true);

    let asked: string[] = [];
    const kept = await api.clean({
      cwd: repo.root,
      all: true,
      confirm: async (found) => {
        asked = found.map(name);
        return false;
      },
    });
    expect(asked).toEqual(unmerged);
    expect(withoutPool(kept.removed)).toEqual([]);
    expect(kept.kept).toContainEqual({
      what: "branch lanes/bad",
      why: expect.stringMatching(/^you chose to keep it/),
    });
    expect(existsSync(lane)).toBe(true);

    const removed = await api.clean({ cwd: repo.root, all: true, confirm: async () => true });
    expect(removed.removed.map(name).sort()).toEqual([...unmerged].sort());
    expect(removed.unmerged).toEqual(removed.removed);
    expect(removed.failed).toEqual([]);
    expect(existsSync(lane)).toBe(false);
    expect((await api.status({ cwd: repo.root })).integration.exists).toBe(false);
  });
});

describe("init() from the package", () => {
  it("says what it created, and that a second call changed nothing", async () => {
    const repo = await tempRepo();
    try {
      const first = await api.init({ cwd: repo.root });
      expect(first.entries.map((e) => `${e.outcome} ${e.path}`)).toEqual([
        "created .lanes/settings.json",
        "created .lanes/settings.schema.json",
        "created .lanes/.gitignore",
        "created .lanes/tasks/example.md",
      ]);
      const second = await api.init({ cwd: repo.root });
      expect(second.entries.every((e) => e.outcome === "unchanged")).toBe(true);
    } finally {
      await repo.cleanup();
    }
  });
});
