// run.json read back through its schema: a corrupt or foreign file is a LanesError naming the
// file and what is wrong with it, never a crash later in whatever read it; a good one (with keys
// a newer lanes added, or nulls where lanes wrote nothing) reads as it was written.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emptyTaskState, type RunState, readRunState } from "../../src/state/run-state.js";
import { runCli, type TempRepo, tempRepo } from "../helpers/cli.js";

function goodState(): RunState {
  return {
    version: 1,
    id: "20260101-000000-abcd",
    status: "interrupted",
    pid: 12345,
    startedAt: 1,
    finishedAt: 2,
    repoRoot: "/repo",
    baseCommit: "a".repeat(40),
    baseBranch: "main",
    integrationBranch: "lanes/run/20260101-000000-abcd",
    worktreeRoot: "/wt",
    options: {
      mode: "parallel",
      concurrency: 2,
      retries: 1,
      timeout: "30m",
      batches: undefined,
      land: false,
    },
    order: ["a"],
    tasks: { a: { ...emptyTaskState("lanes/a"), attempts: 1, verify: { pgid: 42, startedAt: 3 } } },
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "lanes-run-state-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(content: string) {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, content);
  return { file, result: readRunState(file) };
}

describe("readRunState", () => {
  it("reads a good run.json as written, keeping keys it does not know", async () => {
    const state = { ...goodState(), addedLater: { x: 1 } };
    const { result } = await read(JSON.stringify(state));
    expect(await result).toEqual(state);
  });

  it("reads nulls as absent", async () => {
    const state = goodState();
    const { result } = await read(
      JSON.stringify({
        ...state,
        baseBranch: null,
        tasks: { a: { ...state.tasks.a, worktree: null } },
      }),
    );
    const read_ = await result;
    expect(read_.baseBranch).toBeUndefined();
    expect(read_.tasks.a?.worktree).toBeUndefined();
  });

  const good = goodState();
  it.each<[string, unknown, string]>([
    ["not JSON", '{"version": 1, "id": "2026', "is corrupt or truncated (not valid JSON)"],
    ["JSON but not a record", [], "is not a lanes run record (version 1)"],
    ["another version", { ...good, version: 2 }, "is not a lanes run record (version 1)"],
    [
      "a task with an unknown status",
      { ...good, tasks: { a: { ...good.tasks.a, status: "bogus" } } },
      "tasks.a.status",
    ],
    [
      "attempts that are not a count",
      { ...good, tasks: { a: { ...good.tasks.a, attempts: "1" } } },
      "tasks.a.attempts",
    ],
    ["tasks that are not an object", { ...good, tasks: [] }, "tasks"],
    ["order naming a task it does not hold", { ...good, order: ["a", "b"] }, "order"],
    [
      "a recorded process without its group id",
      { ...good, tasks: { a: { ...good.tasks.a, agent: { startedAt: 1 } } } },
      "tasks.a.agent.pgid",
    ],
  ])("%s: a LanesError naming the file and the key", async (_, content, why) => {
    const { file, result } = await read(
      typeof content === "string" ? content : JSON.stringify(content),
    );
    const error = await result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: "LanesError", code: "E_STATE" });
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain(why);
  });
});

describe("lanes resume <run-id> on a foreign run.json", () => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await tempRepo({ ".lanes/tasks/a.md": "---\ntitle: A\n---\nDo a.\n" });
  });
  afterAll(async () => {
    await repo.cleanup();
  });

  it("exits 2 naming the file and the key, without a stack trace", async () => {
    const state = goodState();
    const runDir = path.join(repo.root, ".lanes", "runs", state.id);
    await mkdir(runDir, { recursive: true });
    const file = path.join(runDir, "run.json");
    // Written by something else: order names a task the record does not hold.
    await writeFile(file, JSON.stringify({ ...state, order: ["a", "ghost"] }));
    const result = await runCli(["resume", state.id], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toContain(`lanes: ${file} is not a lanes run record (version 1): order`);
    expect(result.stderr).toMatch(/^hint: /m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
