// Property checks: on seeded random DAGs, waves, priorities and the critical path agree with
// brute-force computations written the most obvious way (naive recursion, path enumeration).

import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../bench/lib/random-dag.mjs";
import { findCycle, type GraphNode, topologicalOrder } from "../../src/graph/graph.js";
import { computePriorities, criticalPath } from "../../src/graph/priorities.js";
import { computeWaves } from "../../src/graph/waves.js";

interface RandomGraph {
  nodes: GraphNode[];
  weight: Map<string, number>;
}

/**
 * A random DAG of n tasks: task k of a hidden order depends on up to maxDeps earlier ones, picked
 * either close by (long chains) or anywhere (shortcuts and wide fan-in). Ids are unrelated to the
 * hidden order and the tasks come shuffled, so nothing can rely on the input being sorted.
 */
function randomGraph(seed: number, n: number, maxDeps: number, window: number): RandomGraph {
  const random = mulberry32(seed);
  const below = (k: number) => Math.floor(random() * k);
  const names = Array.from({ length: n }, (_, i) => `task-${i}`);
  for (let i = n - 1; i > 0; i--) {
    const j = below(i + 1);
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  const nodes: GraphNode[] = names.map((id, k) => {
    const deps = new Set<string>();
    const count = k === 0 ? 0 : below(maxDeps + 1);
    for (let d = 0; d < count; d++) {
      const local = random() < 0.7;
      const at = local ? k - 1 - below(Math.min(k, window)) : below(k);
      deps.add(names[at]!);
    }
    return { id, dependsOn: [...deps] };
  });
  for (let i = nodes.length - 1; i > 0; i--) {
    const j = below(i + 1);
    [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
  }
  const weight = new Map(nodes.map((node) => [node.id, 1 + below(1000)]));
  return { nodes, weight };
}

/** wave(t) = 0 without dependencies, else 1 + the deepest dependency's wave: plain memoised recursion. */
function bruteWaves(nodes: readonly GraphNode[]): Map<string, number> {
  const depsOf = new Map(nodes.map((node) => [node.id, node.dependsOn]));
  const memo = new Map<string, number>();
  const wave = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const deps = depsOf.get(id)!;
    const value = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(wave));
    memo.set(id, value);
    return value;
  };
  for (const node of nodes) wave(node.id);
  return memo;
}

function dependentsOf(nodes: readonly GraphNode[]): Map<string, string[]> {
  const dependents = new Map<string, string[]>(nodes.map((node) => [node.id, []]));
  for (const node of nodes) for (const dep of node.dependsOn) dependents.get(dep)!.push(node.id);
  return dependents;
}

/** The heaviest path starting at each task, by enumerating every path (small graphs only). */
function enumeratedLongestFrom(
  nodes: readonly GraphNode[],
  weightOf: (id: string) => number,
): { longest: Map<string, number>; paths: number } {
  const dependents = dependentsOf(nodes);
  let paths = 0;
  const walk = (id: string, sum: number): number => {
    const total = sum + weightOf(id);
    const next = dependents.get(id)!;
    if (next.length === 0) {
      paths++;
      return total;
    }
    let best = 0;
    for (const after of next) best = Math.max(best, walk(after, total));
    return best;
  };
  const longest = new Map(nodes.map((node) => [node.id, walk(node.id, 0)]));
  return { longest, paths };
}

/** The heaviest path starting at each task, by memoised recursion. */
function memoLongestFrom(
  nodes: readonly GraphNode[],
  weightOf: (id: string) => number,
): Map<string, number> {
  const dependents = dependentsOf(nodes);
  const memo = new Map<string, number>();
  const longest = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const value = weightOf(id) + Math.max(0, ...dependents.get(id)!.map(longest));
    memo.set(id, value);
    return value;
  };
  for (const node of nodes) longest(node.id);
  return memo;
}

function expectWavesMatch(nodes: readonly GraphNode[]): void {
  const expected = bruteWaves(nodes);
  const waves = computeWaves(nodes);
  const depth = Math.max(...expected.values()) + 1;
  expect(waves).toHaveLength(depth);
  // Each wave holds exactly the tasks of that level, in input order.
  for (let w = 0; w < depth; w++) {
    expect(waves[w]).toEqual(nodes.filter((node) => expected.get(node.id) === w).map((n) => n.id));
  }
}

/** The critical path must be a real chain, root to sink, whose weight is the maximum. */
function expectTrueCriticalPath(
  nodes: readonly GraphNode[],
  weightOf: (id: string) => number,
  longestFrom: Map<string, number>,
): void {
  const max = Math.max(...longestFrom.values());
  const { path, weight } = criticalPath(nodes, weightOf);
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const dependents = dependentsOf(nodes);
  expect(weight).toBe(max);
  expect(path.length).toBeGreaterThan(0);
  expect(byId.get(path[0]!)!.dependsOn, "the path starts at a task without dependencies").toEqual(
    [],
  );
  expect(dependents.get(path.at(-1)!), "the path ends at a task nothing depends on").toEqual([]);
  for (let i = 0; i + 1 < path.length; i++) {
    expect(byId.get(path[i + 1]!)!.dependsOn, `${path[i + 1]} depends on ${path[i]}`).toContain(
      path[i],
    );
  }
  expect(path.reduce((sum, id) => sum + weightOf(id), 0)).toBe(max);
}

function expectTopologicalOrder(nodes: readonly GraphNode[]): void {
  const order = topologicalOrder(nodes);
  expect([...order].sort()).toEqual(nodes.map((node) => node.id).sort());
  const position = new Map(order.map((id, i) => [id, i]));
  for (const node of nodes) {
    for (const dep of node.dependsOn)
      expect(position.get(dep)!).toBeLessThan(position.get(node.id)!);
  }
}

const SEEDS = [1, 2, 3, 42, 2024];

describe("random DAGs of ~200 tasks against path enumeration", () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: waves, priorities and the critical path, with and without weights`, () => {
      const { nodes, weight } = randomGraph(seed, 200, 3, 20);
      expect(findCycle(nodes)).toBeUndefined();
      expectTopologicalOrder(nodes);
      expectWavesMatch(nodes);
      for (const weightOf of [() => 1, (id: string) => weight.get(id)!]) {
        const { longest, paths } = enumeratedLongestFrom(nodes, weightOf);
        expect(paths, "the enumeration really explores many paths").toBeGreaterThan(100);
        expect(computePriorities(nodes, weightOf)).toEqual(longest);
        expectTrueCriticalPath(nodes, weightOf, longest);
      }
    });
  }
});

describe("random DAGs of 2,000 tasks against memoised recursion", () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: waves, priorities and the critical path, with and without weights`, () => {
      const { nodes, weight } = randomGraph(seed, 2000, 4, 50);
      expect(findCycle(nodes)).toBeUndefined();
      expectTopologicalOrder(nodes);
      expectWavesMatch(nodes);
      expect(computeWaves(nodes).length, "the graph is deep, not just wide").toBeGreaterThan(50);
      for (const weightOf of [() => 1, (id: string) => weight.get(id)!]) {
        const longest = memoLongestFrom(nodes, weightOf);
        expect(computePriorities(nodes, weightOf)).toEqual(longest);
        expectTrueCriticalPath(nodes, weightOf, longest);
      }
    });
  }

  it("finds the cycle after one back edge is added to a 2,000-task DAG", () => {
    const { nodes } = randomGraph(7, 2000, 4, 50);
    const { path } = criticalPath(nodes, () => 1);
    // The last task of the critical path now also blocks its first one: a cycle through the path.
    const first = nodes.find((node) => node.id === path[0])!;
    first.dependsOn.push(path.at(-1)!);
    const cycle = findCycle(nodes)!;
    expect(cycle[0]).toBe(cycle.at(-1));
    const byId = new Map(nodes.map((node) => [node.id, node]));
    for (let i = 0; i + 1 < cycle.length; i++) {
      expect(byId.get(cycle[i]!)!.dependsOn).toContain(cycle[i + 1]);
    }
  });
});
