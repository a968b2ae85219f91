import { describe, expect, it } from "vitest";
import { lowerBound, type SimTask, simulate } from "../../src/scheduler/simulate.js";

const unit = (id: string, dependsOn: string[] = [], durationMs = 1): SimTask => ({
  id,
  dependsOn,
  durationMs,
});

describe("simulate", () => {
  it("a chain never waits behind an unrelated wave", () => {
    const tasks = [
      unit("a"),
      unit("b", ["a"]),
      unit("c", ["b"]),
      ...["u1", "u2", "u3", "u4", "u5", "u6"].map((id) => unit(id)),
    ];
    const lanes = simulate(tasks, { concurrency: 2, policy: "lanes" });
    // Not 3: the slot b's exit frees is refilled at once (the contract), before b's merge makes
    // c ready, so c takes the next free slot, one unit later. Still well ahead of the wave.
    expect(lanes.doneAt.c).toBe(4);
    expect(lanes.makespanMs).toBe(5);
    // Wave by wave, b waits for all six unrelated tasks of wave 0.
    const waves = simulate(tasks, { concurrency: 2, policy: "waves" });
    expect(waves.doneAt.c).toBe(6);
    expect(waves.makespanMs).toBe(6);
    // First come, first served puts b behind the unrelated tasks that were ready before it.
    expect(simulate(tasks, { concurrency: 2, policy: "fcfs" }).doneAt.c).toBe(5);
  });

  it("N independent tasks take the time of the slowest", () => {
    const tasks = [unit("a", [], 30), unit("b", [], 70), unit("c", [], 50)];
    const result = simulate(tasks, { concurrency: 3, policy: "lanes" });
    expect(result.makespanMs).toBe(70);
    expect(result.maxRunning).toBe(3);
    expect(result.reachedLimit).toBe(true);
    expect(result.finalStates).toEqual({ a: "done", b: "done", c: "done" });
  });

  it("does not report the limit as reached when the graph cannot fill it", () => {
    const tasks = [unit("a"), unit("b", ["a"]), unit("c", ["b"])];
    const result = simulate(tasks, { concurrency: 4, policy: "lanes" });
    expect(result).toMatchObject({ maxRunning: 1, reachedLimit: false, makespanMs: 3 });
  });

  it("uses estimates to start the long task first", () => {
    const tasks = [unit("x1"), unit("x2"), unit("s1"), unit("s2", ["s1"]), unit("long", [], 10)];
    // Counting tasks, the 2-task chain looks longest and the long task starts late.
    expect(simulate(tasks, { concurrency: 2, policy: "lanes-no-estimates" }).makespanMs).toBe(12);
    expect(simulate(tasks, { concurrency: 2, policy: "lanes" }).makespanMs).toBe(10);
    // Wrong estimates mislead it the same way.
    const misleading = tasks.map((t) => ({ ...t, estimateMs: t.id === "long" ? 1 : 5 }));
    expect(simulate(misleading, { concurrency: 2, policy: "lanes" }).makespanMs).toBe(12);
  });

  it("merges one task at a time; dependents start after the merge", () => {
    const tasks = [unit("a", [], 10), unit("b", [], 10), unit("c", ["a"], 10)];
    const result = simulate(tasks, { concurrency: 3, policy: "lanes", mergeMs: 5 });
    expect(result.doneAt).toEqual({ a: 15, b: 20, c: 30 });
    expect(result.starts.find((s) => s.id === "c")!.at).toBe(15);
    expect(result.makespanMs).toBe(30);
  });

  it("retries a failing task after its backoff, then skips its dependents", () => {
    const tasks = [unit("a", [], 10), unit("b", ["a"], 10), unit("x", [], 1000)];
    const result = simulate(tasks, {
      concurrency: 2,
      policy: "lanes",
      failing: new Set(["a"]),
      retries: 2,
      backoffMs: (attempt) => 100 * attempt,
    });
    expect(result.starts.filter((s) => s.id === "a")).toEqual([
      { id: "a", attempt: 1, at: 0, end: 10, outcome: "failed" },
      { id: "a", attempt: 2, at: 210, end: 220, outcome: "failed" },
      { id: "a", attempt: 3, at: 520, end: 530, outcome: "failed" },
    ]);
    expect(result.finalStates).toEqual({ a: "failed", b: "skipped", x: "done" });
  });

  it("a flaky task succeeds on its retry", () => {
    const tasks = [unit("a", [], 10), unit("b", ["a"], 10)];
    const result = simulate(tasks, {
      concurrency: 1,
      policy: "lanes",
      flaky: new Set(["a"]),
      retries: 1,
      backoffMs: 5,
    });
    expect(result.starts.map((s) => [s.id, s.attempt, s.at])).toEqual([
      ["a", 1, 0],
      ["a", 2, 15],
      ["b", 1, 25],
    ]);
    expect(result.finalStates).toEqual({ a: "done", b: "done" });
  });

  it("fail-fast cancels the running agents and starts nothing more", () => {
    const tasks = [unit("a", [], 5), unit("b", [], 100), unit("c", [], 1)];
    const result = simulate(tasks, {
      concurrency: 2,
      policy: "lanes",
      mode: "fail-fast",
      failing: new Set(["a"]),
    });
    expect(result.starts).toEqual([
      { id: "b", attempt: 1, at: 0, end: 5, outcome: "cancelled" },
      { id: "a", attempt: 1, at: 0, end: 5, outcome: "failed" },
    ]);
    expect(result.finalStates).toEqual({ a: "failed", b: "pending", c: "pending" });
    expect(result.makespanMs).toBe(5);
  });

  it("sequential runs one task at a time, merge included", () => {
    const tasks = [unit("a", [], 10), unit("b", [], 10), unit("c", [], 10)];
    const result = simulate(tasks, {
      concurrency: 4,
      policy: "lanes",
      mode: "sequential",
      mergeMs: 2,
    });
    expect(result.maxRunning).toBe(1);
    expect(result.reachedLimit).toBe(true);
    expect(result.starts.map((s) => s.at)).toEqual([0, 12, 24]);
    expect(result.makespanMs).toBe(36);
  });

  it("chain stops at the first failure and leaves the rest pending", () => {
    const tasks = [unit("a"), unit("b", ["a"]), unit("c")];
    const result = simulate(tasks, {
      concurrency: 3,
      policy: "lanes",
      mode: "chain",
      failing: new Set(["b"]),
    });
    expect(result.starts.map((s) => s.id)).toEqual(["a", "b"]);
    expect(result.finalStates).toEqual({ a: "done", b: "failed", c: "pending" });
  });

  it("an empty graph takes no time", () => {
    expect(simulate([], { concurrency: 2, policy: "waves" }).makespanMs).toBe(0);
  });
});

describe("lowerBound", () => {
  it("is the critical path or the work spread over the slots, whichever is longer", () => {
    const chain = [unit("a", [], 3), unit("b", ["a"], 4), unit("c", [], 2)];
    expect(lowerBound(chain, 2)).toBe(7);
    const flat = [unit("a", [], 4), unit("b", [], 4), unit("c", [], 4)];
    expect(lowerBound(flat, 2)).toBe(6);
    expect(lowerBound([], 2)).toBe(0);
  });
});
