// `lanes run` end to end in each mode: --fail-fast, --sequential, --chain, --batch, and the
// usage error for modes that cannot be combined.
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import {
  git,
  indexOf,
  maxOverlap,
  readRun,
  readStarts,
  runIds,
  runRepo,
  saw,
  waitGone,
} from "./helpers.js";

describe("lanes run --fail-fast", () => {
  it("ends a running long agent at the first failure, starts nothing more and exits 1", async () => {
    const repo = await runRepo({
      tasks: { boom: {}, long: {}, wait: {} },
      plan: {
        boom: { sleepMs: 600, exit: 1 },
        long: { sleepMs: 30_000 },
        wait: { sleepMs: 100 },
      },
      settings: { concurrency: 2, gracePeriod: "1s" },
    });

    const started = Date.now();
    const result = await runCli(["run", "--fail-fast"], { cwd: repo.root });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.exitCode).toBe(1);

    const { state, events } = await readRun(repo.root);
    expect(state.status).toBe("failed");
    expect(state.tasks.boom?.status).toBe("failed");
    expect(state.tasks.boom?.reason).toBe("exit");
    // The long agent was ended, not finished; the third task never started.
    expect(state.tasks.long?.status).not.toBe("done");
    expect(state.tasks.long?.status).not.toBe("running");
    expect(state.tasks.wait?.status).not.toBe("done");
    const starts = readStarts(repo.startsFile);
    expect(starts.map((s) => s.task).sort()).toEqual(["boom", "long"]);
    expect(indexOf(events, "task_started", "wait")).toBe(-1);
    expect(events.some((e) => e.type === "run_stopping")).toBe(true);
    const long = starts.find((s) => s.task === "long")!;
    expect(await waitGone([long.pid], 1_000)).toEqual([]);
    expect(result.stdout).toMatch(/^Summary: 0 done, 1 failed/m);
  });
});

describe("lanes run --sequential", () => {
  it("never runs two agents at once and stops at the first failure", async () => {
    // first <- second; bad has the longest chain (bad <- after), so it runs first and fails.
    const repo = await runRepo({
      tasks: {
        first: {},
        second: { deps: ["first"] },
        bad: {},
        after: { deps: ["bad"] },
        other: {},
      },
      plan: { "*": { sleepMs: 100 }, bad: { sleepMs: 100, exit: 1 } },
      settings: { concurrency: 4 },
    });

    const ok = await runRepo({
      tasks: { x: {}, y: {}, z: {}, w: { deps: ["x"] } },
      plan: { "*": { sleepMs: 150 } },
      settings: { concurrency: 4 },
    });
    const good = await runCli(["run", "--sequential"], { cwd: ok.root });
    expect(good.exitCode).toBe(0);
    const okRun = await readRun(ok.root);
    expect(okRun.events.filter((e) => e.type === "task_started")).toHaveLength(4);
    expect(maxOverlap(okRun.events)).toBe(1);
    // One at a time also means: the next starts only once the previous one is merged.
    const order = okRun.events.flatMap((e) => (e.type === "task_started" ? [e.taskId] : []));
    for (let i = 1; i < order.length; i++) {
      expect(indexOf(okRun.events, "task_finished", order[i - 1]!)).toBeLessThan(
        indexOf(okRun.events, "task_started", order[i]!),
      );
    }

    const result = await runCli(["run", "--sequential"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);
    const { state, events } = await readRun(repo.root);
    expect(maxOverlap(events)).toBe(1);
    expect(readStarts(repo.startsFile).map((s) => s.task)).toEqual(["bad"]);
    expect(state.tasks.bad?.status).toBe("failed");
    expect(state.tasks.after?.status).toBe("skipped");
    for (const id of ["first", "second", "other"]) {
      expect(state.tasks[id]?.status, id).toBe("pending");
    }
    expect(result.stdout).toMatch(/^Summary: 0 done, 1 failed, 1 skipped, 3 not started/m);
  });
});

describe("lanes run --chain", () => {
  it("runs one at a time, each lane starting from the previous task's work", async () => {
    const repo = await runRepo({
      tasks: { p: {}, q: {}, r: {}, s: {} },
      plan: { "*": { sleepMs: 100 } },
      settings: { concurrency: 4 },
    });

    const result = await runCli(["run", "--chain"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);

    const { id: runId, events } = await readRun(repo.root);
    expect(maxOverlap(events)).toBe(1);
    const order = events.flatMap((e) => (e.type === "task_started" ? [e.taskId] : []));
    expect(order.sort()).toEqual(["p", "q", "r", "s"]);
    const started = events.flatMap((e) => (e.type === "task_started" ? [e.taskId] : []));
    for (let i = 0; i < started.length; i++) {
      const seen = await saw(repo, `lanes/run/${runId}`, started[i]!);
      // Every earlier task's file, the previous one's included, and nothing else.
      expect(seen, started[i]).toEqual(
        started
          .slice(0, i)
          .map((id) => `${id}.txt`)
          .sort(),
      );
    }
    const tree = await git(repo, ["ls-tree", "-r", "--name-only", `lanes/run/${runId}`]);
    for (const id of ["p", "q", "r", "s"]) expect(tree).toContain(`lanes-out/${id}.txt`);
  });
});

describe("lanes run --batch", () => {
  it('runs "a,b" before "c", which starts only after a and b finished', async () => {
    const repo = await runRepo({
      tasks: { a: {}, b: {}, c: {} },
      plan: { "*": { sleepMs: 400 } },
      settings: { concurrency: 3 },
    });

    const result = await runCli(["run", "--batch", "a,b", "--batch", "c"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);

    const { events, state } = await readRun(repo.root);
    const c = indexOf(events, "task_started", "c");
    expect(c).toBeGreaterThan(indexOf(events, "task_finished", "a"));
    expect(c).toBeGreaterThan(indexOf(events, "task_finished", "b"));
    // Inside the first batch the parallel rules apply: a and b ran side by side.
    expect(maxOverlap(events)).toBe(2);
    expect(Object.values(state.tasks).every((t) => t.status === "done")).toBe(true);
  });

  it.each([
    [["--batch", "a,nope"], /--batch names "nope", which is not among the tasks to run/],
    [["--batch", "b", "--batch", "a"], /--batch puts "b" before its dependency "a"/],
  ])("%j exits 2 before anything is written", async (args, message) => {
    const repo = await runRepo({ tasks: { a: {}, b: { deps: ["a"] } } });
    const result = await runCli(["run", ...args], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(runIds(repo.root)).toEqual([]);
  });
});

describe("lanes run: modes that cannot be combined", () => {
  it.each([
    ["--fail-fast", "--sequential"],
    ["--sequential", "--chain"],
    ["--fail-fast", "--chain"],
  ])("%s %s exits 2 with a usage error, before anything is written", async (one, two) => {
    const repo = await runRepo({ tasks: { a: {} } });
    const result = await runCli(["run", one, two], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`option '${one}' cannot be used with option '${two}'`);
    expect(result.stderr).toMatch(/^hint: /m);
    expect(result.stdout).toBe("");
    expect(runIds(repo.root)).toEqual([]);
    expect(readStarts(repo.startsFile)).toEqual([]);
  });
});
