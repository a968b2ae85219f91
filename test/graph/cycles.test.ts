// Cycle detection and graph validation: every cycle is reported as a real closed path.
import { describe, expect, it } from "vitest";
import { LanesError } from "../../src/errors.js";
import {
  dependentsMap,
  findCycle,
  type GraphNode,
  topologicalOrder,
  validateGraph,
} from "../../src/graph/graph.js";

/** `n` tasks in a ring: c0 depends on c1, c1 on c2, ..., c(n-1) on c0. */
function ring(n: number, prefix = "c"): GraphNode[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    dependsOn: [`${prefix}${(i + 1) % n}`],
  }));
}

/** A cycle is a closed walk along depends_on edges that visits each of its tasks once. */
function expectClosedPath(cycle: string[] | undefined, nodes: readonly GraphNode[]): string[] {
  expect(cycle).toBeDefined();
  const path = cycle!;
  const depsOf = new Map(nodes.map((node) => [node.id, node.dependsOn]));
  expect(path.length).toBeGreaterThanOrEqual(2);
  expect(path[0]).toBe(path[path.length - 1]);
  for (let i = 0; i + 1 < path.length; i++) {
    expect(depsOf.get(path[i]!), `${path[i]} -> ${path[i + 1]} is an edge`).toContain(path[i + 1]);
  }
  const inner = path.slice(0, -1);
  expect(new Set(inner).size, "no task repeats inside the cycle").toBe(inner.length);
  return path;
}

function validationError(nodes: readonly GraphNode[]): LanesError {
  try {
    validateGraph(nodes, (id) => `.lanes/tasks/${id}.md`);
  } catch (error) {
    expect(error).toBeInstanceOf(LanesError);
    return error as LanesError;
  }
  throw new Error("validateGraph accepted a bad graph");
}

describe("findCycle", () => {
  it("finds nothing in an empty graph, a single task, a chain or a diamond", () => {
    expect(findCycle([])).toBeUndefined();
    expect(findCycle([{ id: "a", dependsOn: [] }])).toBeUndefined();
    expect(
      findCycle([
        { id: "c", dependsOn: ["b"] },
        { id: "b", dependsOn: ["a"] },
        { id: "a", dependsOn: [] },
      ]),
    ).toBeUndefined();
    expect(
      findCycle([
        { id: "d", dependsOn: ["b", "c"] },
        { id: "b", dependsOn: ["a"] },
        { id: "c", dependsOn: ["a"] },
        { id: "a", dependsOn: [] },
      ]),
    ).toBeUndefined();
  });

  it("reports a self-dependency as a cycle of length 1: a -> a", () => {
    expect(findCycle([{ id: "a", dependsOn: ["a"] }])).toEqual(["a", "a"]);
  });

  for (const length of [1, 2, 3, 4, 5, 6]) {
    it(`finds a cycle of length ${length} as a closed path of ${length + 1} ids`, () => {
      const nodes = ring(length);
      const cycle = expectClosedPath(findCycle(nodes), nodes);
      expect(cycle).toHaveLength(length + 1);
      expect(new Set(cycle)).toEqual(new Set(nodes.map((node) => node.id)));
    });

    it(`finds a cycle of length ${length} reached through an acyclic tail, without the tail`, () => {
      const cycleNodes = ring(length);
      const nodes: GraphNode[] = [
        { id: "start", dependsOn: ["middle"] },
        { id: "middle", dependsOn: ["leaf", "c0"] },
        { id: "leaf", dependsOn: [] },
        ...cycleNodes,
      ];
      const cycle = expectClosedPath(findCycle(nodes), nodes);
      expect(cycle).toHaveLength(length + 1);
      expect(cycle).not.toContain("start");
      expect(cycle).not.toContain("middle");
    });
  }

  it("prints the two-task cycle the way the README shows it: a -> b -> a", () => {
    const cycle = findCycle([
      { id: "a", dependsOn: ["b"] },
      { id: "b", dependsOn: ["a"] },
    ]);
    expect(cycle?.join(" -> ")).toBe("a -> b -> a");
  });

  it("finds a 500-task cycle as a real closed path", () => {
    const nodes = ring(500);
    const cycle = expectClosedPath(findCycle(nodes), nodes);
    expect(cycle).toHaveLength(501);
  });

  it("finds a 10,000-task cycle without overflowing the stack", () => {
    const nodes = ring(10_000);
    expect(expectClosedPath(findCycle(nodes), nodes)).toHaveLength(10_001);
  });

  it("finds a cycle hidden behind shared dependencies (a diamond above a loop)", () => {
    const nodes: GraphNode[] = [
      { id: "top", dependsOn: ["left", "right"] },
      { id: "left", dependsOn: ["bottom"] },
      { id: "right", dependsOn: ["bottom"] },
      { id: "bottom", dependsOn: ["x"] },
      { id: "x", dependsOn: ["y"] },
      { id: "y", dependsOn: ["bottom"] },
    ];
    const cycle = expectClosedPath(findCycle(nodes), nodes);
    expect(new Set(cycle)).toEqual(new Set(["bottom", "x", "y"]));
  });

  it("ignores dependencies on tasks outside the graph (finished tasks)", () => {
    expect(findCycle([{ id: "a", dependsOn: ["elsewhere"] }])).toBeUndefined();
  });
});

describe("validateGraph", () => {
  it("accepts an acyclic graph with known dependencies", () => {
    expect(() =>
      validateGraph([
        { id: "a", dependsOn: [] },
        { id: "b", dependsOn: ["a"] },
      ]),
    ).not.toThrow();
  });

  it("rejects a self-dependency naming the task and its file", () => {
    const error = validationError([{ id: "a", dependsOn: ["a"] }]);
    expect(error.code).toBe("E_TASK_CYCLE");
    expect(error.message).toBe('.lanes/tasks/a.md: task "a" depends on itself');
    expect(error.hint).toContain('remove "a" from depends_on');
  });

  it("rejects an unknown dependency naming it and the file that asks for it", () => {
    const error = validationError([
      { id: "a", dependsOn: [] },
      { id: "b", dependsOn: ["a", "ghost"] },
    ]);
    expect(error.code).toBe("E_TASK_UNKNOWN_DEP");
    expect(error.message).toBe('.lanes/tasks/b.md: depends_on names unknown task "ghost"');
    expect(error.hint).toContain(".lanes/tasks/ghost.md");
  });

  for (const length of [2, 3, 4, 5, 6, 500]) {
    it(`rejects a cycle of length ${length}, printing it as a closed path`, () => {
      const nodes = ring(length);
      const error = validationError(nodes);
      expect(error.code).toBe("E_TASK_CYCLE");
      const match = /^dependency cycle: (.+) \(in \.lanes\/tasks\/(c\d+)\.md\)$/.exec(
        error.message,
      );
      expect(match, error.message).not.toBeNull();
      const cycle = expectClosedPath(match![1]!.split(" -> "), nodes);
      expect(cycle).toHaveLength(length + 1);
      expect(match![2]).toBe(cycle[0]);
      expect(error.hint).toMatch(/break the cycle/);
    });
  }

  it("prints `a -> b -> a` for two tasks that need each other", () => {
    const error = validationError([
      { id: "a", dependsOn: ["b"] },
      { id: "b", dependsOn: ["a"] },
    ]);
    expect(error.message).toContain("a -> b -> a");
  });
});

describe("topologicalOrder and dependentsMap", () => {
  const diamond: GraphNode[] = [
    { id: "d", dependsOn: ["b", "c"] },
    { id: "c", dependsOn: ["a"] },
    { id: "b", dependsOn: ["a"] },
    { id: "a", dependsOn: [] },
  ];

  it("puts dependencies first, ties in input order", () => {
    expect(topologicalOrder(diamond)).toEqual(["a", "c", "b", "d"]);
  });

  it("lists who depends on each task, ignoring dependencies outside the graph", () => {
    const dependents = dependentsMap([...diamond, { id: "e", dependsOn: ["done-elsewhere", "a"] }]);
    expect(Object.fromEntries(dependents)).toEqual({
      a: ["c", "b", "e"],
      b: ["d"],
      c: ["d"],
      d: [],
      e: [],
    });
  });
});
