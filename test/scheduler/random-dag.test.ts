import { describe, expect, it } from "vitest";
import { type DagShape, mulberry32, randomDag } from "../../bench/lib/random-dag.mjs";
import { lowerBound } from "../../src/scheduler/simulate.js";

const shapes: DagShape[] = ["wide", "deep", "diamonds", "mixed"];

describe("randomDag", () => {
  it("gives the same graph for the same seed, another for another seed", () => {
    const options = { n: 30, shape: "mixed" as const, minMs: 1, maxMs: 100 };
    expect(randomDag({ ...options, seed: 7 })).toEqual(randomDag({ ...options, seed: 7 }));
    expect(randomDag({ ...options, seed: 7 })).not.toEqual(randomDag({ ...options, seed: 8 }));
  });

  it.each(shapes)("%s: n tasks, dependencies first, durations in range", (shape) => {
    for (let seed = 1; seed <= 20; seed++) {
      const tasks = randomDag({ n: 25, shape, seed, minMs: 10, maxMs: 20 });
      expect(tasks).toHaveLength(25);
      const seen = new Set<string>();
      for (const task of tasks) {
        for (const dep of task.dependsOn) expect(seen.has(dep)).toBe(true);
        expect(new Set(task.dependsOn).size).toBe(task.dependsOn.length);
        expect(task.durationMs).toBeGreaterThanOrEqual(10);
        expect(task.durationMs).toBeLessThanOrEqual(20);
        expect(Number.isInteger(task.durationMs)).toBe(true);
        seen.add(task.id);
      }
    }
  });

  it("deep graphs have a longer critical path than wide ones", () => {
    let deep = 0;
    let wide = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const options = { n: 40, seed, minMs: 1, maxMs: 1 };
      // With unbounded slots the lower bound is the critical path.
      deep += lowerBound(randomDag({ ...options, shape: "deep" }), 1000);
      wide += lowerBound(randomDag({ ...options, shape: "wide" }), 1000);
    }
    expect(deep).toBeGreaterThan(3 * wide);
  });

  it("diamonds fan out from one root and join again", () => {
    const tasks = randomDag({ n: 12, shape: "diamonds", seed: 3, minMs: 1, maxMs: 1 });
    expect(tasks[0]!.dependsOn).toEqual([]);
    expect(tasks.slice(1).every((t) => t.dependsOn.length > 0)).toBe(true);
    expect(tasks.some((t) => t.dependsOn.length >= 2)).toBe(true);
  });

  it("handles the edges: no tasks, one task", () => {
    expect(randomDag({ n: 0, shape: "wide", seed: 1, minMs: 1, maxMs: 2 })).toEqual([]);
    expect(randomDag({ n: 1, shape: "diamonds", seed: 1, minMs: 5, maxMs: 5 })).toEqual([
      { id: "t000", dependsOn: [], durationMs: 5 },
    ]);
    expect(() => randomDag({ n: 2, shape: "wide", seed: 1, minMs: 5, maxMs: 1 })).toThrow(
      RangeError,
    );
  });

  it("mulberry32 stays in [0, 1)", () => {
    const random = mulberry32(42);
    for (let i = 0; i < 1000; i++) {
      const x = random();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});
