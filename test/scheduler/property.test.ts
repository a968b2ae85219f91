/**
 * Invariants over hundreds of seeded random graphs. A failure names its seed: replay it with
 * `randomDag({ ...caseFor(seed) })`.
 */
import { describe, expect, it } from "vitest";
import { type DagShape, mulberry32, randomDag } from "../../bench/lib/random-dag.mjs";
import {
  lowerBound,
  type SimPolicy,
  type SimResult,
  type SimTask,
  simulate,
} from "../../src/scheduler/simulate.js";
import type { SchedulerTaskState } from "../../src/scheduler/types.js";

const SHAPES: DagShape[] = ["wide", "deep", "diamonds", "mixed"];
const POLICIES: SimPolicy[] = ["lanes", "lanes-no-estimates", "waves", "fcfs"];
const SEEDS = Array.from({ length: 200 }, (_, i) => i + 1);

function caseFor(seed: number) {
  const shape = SHAPES[seed % SHAPES.length]!;
  const n = 5 + ((seed * 7) % 36);
  const concurrency = 1 + (seed % 6);
  // Half the cases list tasks out of dependency order: the scheduler must not rely on it.
  const tasks = shuffled(randomDag({ n, shape, seed, minMs: 1, maxMs: 100 }), seed);
  return { shape, concurrency, tasks };
}

function shuffled<T>(items: T[], seed: number): T[] {
  if (seed % 2 === 0) return items;
  const random = mulberry32(seed * 31);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Checks from the recorded starts alone, independently of the simulator's own counters. */
function checkRun(tasks: SimTask[], result: SimResult, concurrency: number, seed: number) {
  const depsOf = new Map(tasks.map((t) => [t.id, t.dependsOn]));
  for (const start of result.starts) {
    for (const dep of depsOf.get(start.id)!) {
      const done = result.doneAt[dep];
      expect(done, `seed ${seed}: ${start.id} started before ${dep} was done`).toBeDefined();
      expect(done!, `seed ${seed}: ${start.id} started before ${dep} was done`).toBeLessThanOrEqual(
        start.at,
      );
    }
    const overlapping = result.starts.filter((s) => s.at <= start.at && start.at < s.end).length;
    expect(overlapping, `seed ${seed}: limit exceeded at ${start.at}`).toBeLessThanOrEqual(
      concurrency,
    );
  }
  expect(result.maxRunning).toBeLessThanOrEqual(concurrency);
}

/** done, failed or skipped as the rules say: a task is skipped iff a dependency did not succeed. */
function expectedStates(
  tasks: SimTask[],
  failing: Set<string>,
): Record<string, SchedulerTaskState> {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const states: Record<string, SchedulerTaskState> = {};
  const visit = (id: string): SchedulerTaskState => {
    const known = states[id];
    if (known !== undefined) return known;
    const deps = byId.get(id)!.dependsOn.map(visit);
    const state = deps.some((s) => s !== "done") ? "skipped" : failing.has(id) ? "failed" : "done";
    states[id] = state;
    return state;
  };
  for (const task of tasks) visit(task.id);
  return states;
}

describe("scheduling invariants over 200 random graphs", () => {
  it("respects dependencies and the limit, never beats the lower bound, and lanes beats waves", () => {
    const total = Object.fromEntries(POLICIES.map((p) => [p, 0])) as Record<SimPolicy, number>;
    let wideCases = 0;
    let wideFilled = 0;
    for (const seed of SEEDS) {
      const { shape, concurrency, tasks } = caseFor(seed);
      const bound = lowerBound(tasks, concurrency);
      for (const policy of POLICIES) {
        const result = simulate(tasks, { concurrency, policy });
        checkRun(tasks, result, concurrency, seed);
        expect(Object.values(result.finalStates).every((s) => s === "done")).toBe(true);
        expect(result.starts).toHaveLength(tasks.length);
        expect(result.makespanMs, `seed ${seed} ${policy}`).toBeGreaterThanOrEqual(bound - 1e-9);
        total[policy] += result.makespanMs / bound;
        if (policy === "lanes" && shape === "wide" && tasks.length >= 3 * concurrency) {
          wideCases++;
          if (result.reachedLimit) wideFilled++;
        }
      }
    }
    expect(total.lanes).toBeLessThanOrEqual(total.waves);
    expect(total["lanes-no-estimates"]).toBeLessThanOrEqual(total.waves);
    expect(wideCases).toBeGreaterThan(10);
    expect(wideFilled).toBe(wideCases);
  });

  it("keeps the invariants with a merge queue", () => {
    for (const seed of SEEDS.slice(0, 50)) {
      const { concurrency, tasks } = caseFor(seed);
      const result = simulate(tasks, { concurrency, policy: "lanes", mergeMs: 7 });
      checkRun(tasks, result, concurrency, seed);
      expect(result.makespanMs).toBeGreaterThanOrEqual(lowerBound(tasks, concurrency));
    }
  });

  it("skips exactly the transitive dependents of failures, retrying each failure", () => {
    for (const seed of SEEDS) {
      const { concurrency, tasks } = caseFor(seed);
      const random = mulberry32(seed * 97);
      const failing = new Set(tasks.filter(() => random() < 0.1).map((t) => t.id));
      const result = simulate(tasks, {
        concurrency,
        policy: "lanes",
        failing,
        retries: 1,
        backoffMs: 50,
      });
      checkRun(tasks, result, concurrency, seed);
      const expected = expectedStates(tasks, failing);
      expect(result.finalStates, `seed ${seed}`).toEqual(expected);
      for (const task of tasks) {
        const runs = result.starts.filter((s) => s.id === task.id).length;
        const want = { done: 1, failed: 2, skipped: 0 }[expected[task.id] as string];
        expect(runs, `seed ${seed}: attempts of ${task.id}`).toBe(want);
      }
    }
  });

  it("fail-fast starts nothing after the first final failure", () => {
    for (const seed of SEEDS.slice(0, 100)) {
      const { concurrency, tasks } = caseFor(seed);
      const failing = new Set([tasks[seed % tasks.length]!.id]);
      const result = simulate(tasks, { concurrency, policy: "lanes", mode: "fail-fast", failing });
      checkRun(tasks, result, concurrency, seed);
      const failure = result.starts.find((s) => s.outcome === "failed");
      if (failure === undefined) continue;
      expect(result.starts.every((s) => s.at <= failure.end)).toBe(true);
      for (const start of result.starts.filter((s) => s.outcome === "cancelled")) {
        expect(result.finalStates[start.id]).toBe("pending");
      }
      const states = new Set(Object.values(result.finalStates));
      for (const state of states) expect(["done", "failed", "skipped", "pending"]).toContain(state);
    }
  });
});
