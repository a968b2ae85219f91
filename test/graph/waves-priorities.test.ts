// Waves, priorities and the critical path on graphs small enough to check by hand.
import { describe, expect, it } from "vitest";
import type { GraphNode } from "../../src/graph/graph.js";
import { findCycle, topologicalOrder, validateGraph } from "../../src/graph/graph.js";
import { computePriorities, criticalPath } from "../../src/graph/priorities.js";
import { computeWaves } from "../../src/graph/waves.js";

const unit = () => 1;
const weights =
  (table: Record<string, number>) =>
  (id: string): number =>
    table[id] ?? 1;

// a <- b, a <- c, {b, c} <- d: the classic diamond, listed dependents-first on purpose.
const diamond: GraphNode[] = [
  { id: "d", dependsOn: ["b", "c"] },
  { id: "b", dependsOn: ["a"] },
  { id: "c", dependsOn: ["a"] },
  { id: "a", dependsOn: [] },
];

function chain(n: number): GraphNode[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `t${i}`,
    dependsOn: i === 0 ? [] : [`t${i - 1}`],
  }));
}

describe("computeWaves", () => {
  it("is empty for no tasks", () => {
    expect(computeWaves([])).toEqual([]);
  });

  it("puts a diamond in three waves, tasks of a wave in input order", () => {
    expect(computeWaves(diamond)).toEqual([["a"], ["b", "c"], ["d"]]);
  });

  it("puts a chain one task per wave", () => {
    expect(computeWaves(chain(4))).toEqual([["t0"], ["t1"], ["t2"], ["t3"]]);
  });

  it("places a task one wave after its deepest dependency, not its shallowest", () => {
    const nodes: GraphNode[] = [
      { id: "late", dependsOn: ["root", "mid"] },
      { id: "mid", dependsOn: ["root"] },
      { id: "root", dependsOn: [] },
    ];
    expect(computeWaves(nodes)).toEqual([["root"], ["mid"], ["late"]]);
  });

  it("lays out a forest of independent trees side by side", () => {
    const forest: GraphNode[] = [
      { id: "x1", dependsOn: [] },
      { id: "y1", dependsOn: [] },
      { id: "x2", dependsOn: ["x1"] },
      { id: "x3", dependsOn: ["x1"] },
      { id: "y2", dependsOn: ["y1"] },
      { id: "y3", dependsOn: ["y2"] },
      { id: "lonely", dependsOn: [] },
    ];
    expect(computeWaves(forest)).toEqual([["x1", "y1", "lonely"], ["x2", "x3", "y2"], ["y3"]]);
  });

  it("ignores dependencies outside the graph (tasks already done)", () => {
    expect(
      computeWaves([
        { id: "a", dependsOn: ["done"] },
        { id: "b", dependsOn: ["a", "done"] },
      ]),
    ).toEqual([["a"], ["b"]]);
  });
});

describe("computePriorities", () => {
  it("counts the tasks on the longest remaining path when there are no estimates", () => {
    expect(Object.fromEntries(computePriorities(diamond, unit))).toEqual({
      a: 3,
      b: 2,
      c: 2,
      d: 1,
    });
  });

  it("weighs each task by its estimate", () => {
    const weightOf = weights({ a: 5, b: 10, c: 1, d: 2 });
    expect(Object.fromEntries(computePriorities(diamond, weightOf))).toEqual({
      a: 17,
      b: 12,
      c: 3,
      d: 2,
    });
  });

  it("gives a lone task its own weight", () => {
    expect(computePriorities([{ id: "solo", dependsOn: [] }], () => 42).get("solo")).toBe(42);
  });
});

describe("criticalPath", () => {
  it("is empty with zero weight for no tasks", () => {
    expect(criticalPath([], unit)).toEqual({ path: [], weight: 0 });
  });

  it("runs through the heavier branch of a diamond", () => {
    expect(criticalPath(diamond, weights({ b: 1, c: 10 }))).toEqual({
      path: ["a", "c", "d"],
      weight: 12,
    });
    expect(criticalPath(diamond, weights({ b: 10, c: 1 }))).toEqual({
      path: ["a", "b", "d"],
      weight: 12,
    });
  });

  it("without estimates is the longest chain by task count", () => {
    const result = criticalPath(diamond, unit);
    expect(result.weight).toBe(3);
    expect(result.path[0]).toBe("a");
    expect(result.path[2]).toBe("d");
  });

  it("prefers a short heavy chain over a long light one", () => {
    const nodes: GraphNode[] = [
      ...chain(5),
      { id: "big", dependsOn: [] },
      { id: "bigger", dependsOn: ["big"] },
    ];
    expect(criticalPath(nodes, unit)).toEqual({ path: ["t0", "t1", "t2", "t3", "t4"], weight: 5 });
    expect(criticalPath(nodes, weights({ big: 100, bigger: 100 }))).toEqual({
      path: ["big", "bigger"],
      weight: 200,
    });
  });

  it("picks the heaviest tree of a forest", () => {
    const forest: GraphNode[] = [
      { id: "x1", dependsOn: [] },
      { id: "x2", dependsOn: ["x1"] },
      { id: "y1", dependsOn: [] },
      { id: "y2", dependsOn: ["y1"] },
      { id: "y3", dependsOn: ["y2"] },
    ];
    expect(criticalPath(forest, unit)).toEqual({ path: ["y1", "y2", "y3"], weight: 3 });
    expect(criticalPath(forest, weights({ x2: 30 }))).toEqual({ path: ["x1", "x2"], weight: 31 });
  });

  it("starts at a task whose dependencies are all outside the graph", () => {
    const nodes: GraphNode[] = [
      { id: "a", dependsOn: ["done"] },
      { id: "b", dependsOn: ["a"] },
    ];
    expect(criticalPath(nodes, unit)).toEqual({ path: ["a", "b"], weight: 2 });
  });
});

describe("a 10,000-task chain", () => {
  // Listed last task first, so that nothing can rely on the input being in dependency order.
  const nodes = chain(10_000).reverse();
  const ids = nodes.map((node) => node.id).reverse();

  it("validates, orders and layers without overflowing the stack", () => {
    expect(findCycle(nodes)).toBeUndefined();
    expect(() => validateGraph(nodes)).not.toThrow();
    expect(topologicalOrder(nodes)).toEqual(ids);
    const waves = computeWaves(nodes);
    expect(waves).toHaveLength(10_000);
    expect(waves.every((wave, i) => wave.length === 1 && wave[0] === `t${i}`)).toBe(true);
  });

  it("has the whole chain as its critical path", () => {
    const priorities = computePriorities(nodes, unit);
    expect(priorities.get("t0")).toBe(10_000);
    expect(priorities.get("t9999")).toBe(1);
    expect(criticalPath(nodes, unit)).toEqual({ path: ids, weight: 10_000 });
  });
});
