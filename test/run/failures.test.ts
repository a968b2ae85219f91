// `lanes run` end to end when things go wrong: a failing task skips exactly its dependents,
// a hanging agent times out (and its process goes), an agent that changes nothing, a retry that
// succeeds, and two tasks whose merges conflict.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import {
  git,
  isAlive,
  laneBranches,
  readRun,
  readStarts,
  runRepo,
  type TaskSpec,
  waitGone,
} from "./helpers.js";

describe("lanes run: failure isolation", () => {
  // a <- b <- c <- h; a <- d; {b, d} <- g; e <- f. b fails: c, g and h are its dependents.
  const DAG: Record<string, TaskSpec> = {
    a: {},
    b: { deps: ["a"] },
    c: { deps: ["b"] },
    h: { deps: ["c"] },
    d: { deps: ["a"] },
    g: { deps: ["b", "d"] },
    e: {},
    f: { deps: ["e"] },
  };

  it("fails the task, skips exactly its transitive dependents, finishes the rest, exits 1", async () => {
    const repo = await runRepo({
      tasks: DAG,
      plan: { "*": { sleepMs: 150 }, b: { sleepMs: 150, exit: 1 } },
    });

    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);

    const { state, events } = await readRun(repo.root);
    expect(state.status).toBe("failed");
    const statuses = Object.fromEntries(
      Object.entries(state.tasks).map(([id, t]) => [id, t.status]),
    );
    expect(statuses).toEqual({
      a: "done",
      b: "failed",
      c: "skipped",
      h: "skipped",
      d: "done",
      g: "skipped",
      e: "done",
      f: "done",
    });
    expect(state.tasks.b?.reason).toBe("exit");
    expect(state.tasks.b?.attempts).toBe(1);
    for (const id of ["c", "g", "h"]) expect(state.tasks[id]?.reason, id).toBe("dependency");

    // Skipped tasks never started an agent.
    expect(
      readStarts(repo.startsFile)
        .map((s) => s.task)
        .sort(),
    ).toEqual(["a", "b", "d", "e", "f"]);
    const finished = events.filter((e) => e.type === "task_finished");
    expect(finished).toHaveLength(8);
    const runFinished = events.at(-1);
    expect(runFinished?.type).toBe("run_finished");
    if (runFinished?.type === "run_finished") {
      expect(runFinished.status).toBe("failed");
      expect(runFinished.counts).toMatchObject({ done: 4, failed: 1, skipped: 3 });
    }

    // The summary counts, names the failure's reason and log path, and says why tasks were skipped.
    expect(result.stdout).toMatch(/^Summary: 4 done, 1 failed, 3 skipped \(/m);
    const logPath = state.tasks.b?.logPath;
    expect(logPath).toBeDefined();
    expect(logPath).toMatch(/logs\/b\/exec\.1\.log$/);
    expect(result.stdout).toMatch(/^ {2}✗ b: exit/m);
    expect(result.stdout).toContain(`(log: ${logPath})`);
    expect(readFileSync(logPath!, "utf8")).toContain("[b] exec attempt 1: ");
    expect(result.stdout).toMatch(/^ {2}↷ c skipped: b failed$/m);
  });
});

describe("lanes run: timeout", () => {
  it("ends a hanging agent after --timeout and fails it with reason timeout", async () => {
    const repo = await runRepo({
      tasks: { stuck: {}, fine: {} },
      plan: { stuck: { hang: true }, fine: { sleepMs: 100 } },
      settings: { gracePeriod: "1s" },
    });

    const started = Date.now();
    const result = await runCli(["run", "--timeout", "1s"], { cwd: repo.root });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.exitCode).toBe(1);

    const { state } = await readRun(repo.root);
    expect(state.tasks.stuck?.status).toBe("failed");
    expect(state.tasks.stuck?.reason).toBe("timeout");
    expect(state.tasks.fine?.status).toBe("done");
    expect(result.stdout).toMatch(/✗ stuck failed \(.*\): timeout/);

    const [start] = readStarts(repo.startsFile).filter((s) => s.task === "stuck");
    expect(start).toBeDefined();
    expect(await waitGone([start!.pid], 1_000)).toEqual([]);
  });
});

describe("lanes run: no changes, retries, conflicts", () => {
  it("fails an agent that exits 0 but changes nothing with reason no_changes", async () => {
    const repo = await runRepo({
      tasks: { idle: {}, busy: {} },
      plan: { idle: { sleepMs: 100, noChanges: true }, busy: { sleepMs: 100 } },
    });

    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);

    const { state } = await readRun(repo.root);
    expect(state.tasks.idle?.status).toBe("failed");
    expect(state.tasks.idle?.reason).toBe("no_changes");
    expect(state.tasks.busy?.status).toBe("done");
    expect(result.stdout).toMatch(/✗ idle failed \(.*\): no changes/);
  });

  it("retries a failed attempt with backoff and succeeds on attempt 2 (--retries 2)", async () => {
    const repo = await runRepo({
      tasks: { flaky: {} },
      plan: { flaky: { sleepMs: 100, failAttempts: 1 } },
    });

    const result = await runCli(["run", "--retries", "2"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);

    const { state, events } = await readRun(repo.root);
    expect(state.tasks.flaky?.status).toBe("done");
    expect(state.tasks.flaky?.attempts).toBe(2);
    expect(readStarts(repo.startsFile).map((s) => `${s.task} ${s.attempt}`)).toEqual([
      "flaky 1",
      "flaky 2",
    ]);
    const failed = events.filter((e) => e.type === "attempt_failed");
    expect(failed).toHaveLength(1);
    const [attempt] = failed;
    if (attempt?.type !== "attempt_failed") throw new Error("unreachable");
    expect(attempt.attempt).toBe(1);
    expect(attempt.reason).toBe("exit");
    // Backoff for the first retry: 1 s ± 25 %.
    expect(attempt.retryInMs).toBeGreaterThanOrEqual(750);
    expect(attempt.retryInMs).toBeLessThanOrEqual(1250);
    expect(result.stdout).toMatch(/↻ flaky retry in /);
    expect(result.stdout).toMatch(/● flaky: exec started \(attempt 2\)/);
  });

  it("fails one of two tasks that write the same file with reason conflict, keeping its branch (conflicts: fail)", async () => {
    const repo = await runRepo({
      tasks: { red: {}, blue: {} },
      plan: {
        red: { sleepMs: 100, files: { "colour.txt": "red\n" } },
        blue: { sleepMs: 100, files: { "colour.txt": "blue\n" } },
      },
      settings: { conflicts: "fail" },
    });

    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);

    const { id: runId, state } = await readRun(repo.root);
    const byStatus = (status: string) =>
      Object.entries(state.tasks)
        .filter(([, t]) => t.status === status)
        .map(([id]) => id);
    expect(byStatus("done")).toHaveLength(1);
    expect(byStatus("failed")).toHaveLength(1);
    const winner = byStatus("done")[0]!;
    const loser = byStatus("failed")[0]!;
    const failed = state.tasks[loser]!;
    expect(failed.reason).toBe("conflict");
    expect(failed.detail).toContain("colour.txt");
    expect(failed.detail).toContain(`lanes/${loser}`);
    expect(result.stdout).toMatch(new RegExp(`✗ ${loser} failed .*: conflict .*colour\\.txt`));

    // The integration branch has the winner's version; the loser's branch keeps its own work.
    expect(await git(repo, ["show", `lanes/run/${runId}:colour.txt`])).toBe(winner);
    expect(await laneBranches(repo)).toEqual([`lanes/${loser}`]);
    expect(await git(repo, ["show", `lanes/${loser}:colour.txt`])).toBe(loser);
    expect(existsSync(repo.startsFile)).toBe(true);
    for (const start of readStarts(repo.startsFile)) expect(isAlive(start.pid)).toBe(false);
  });
});
