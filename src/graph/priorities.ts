import { dependentsMap, type GraphNode, topologicalOrder } from "./graph.js";

/**
 * Each task's priority: the weight of the longest path from it to the end of the graph, itself
 * included. Starting the task with the longest remaining chain first is what keeps the critical
 * path busy (the scheduler's policy). Weights are estimates in ms, or 1 each when unknown.
 */
export function computePriorities(
  nodes: readonly GraphNode[],
  weightOf: (id: string) => number,
): Map<string, number> {
  const dependents = dependentsMap(nodes);
  const priority = new Map<string, number>();
  const order = topologicalOrder(nodes);
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i]!;
    let longestAfter = 0;
    for (const next of dependents.get(id)!)
      longestAfter = Math.max(longestAfter, priority.get(next)!);
    priority.set(id, weightOf(id) + longestAfter);
  }
  return priority;
}

/** The critical path: the heaviest dependency chain, first task to last, and its weight. */
export function criticalPath(
  nodes: readonly GraphNode[],
  weightOf: (id: string) => number,
): { path: string[]; weight: number } {
  const priority = computePriorities(nodes, weightOf);
  const dependents = dependentsMap(nodes);
  const heaviest = (ids: readonly string[]) =>
    ids.reduce<string | undefined>(
      (best, id) => (best === undefined || priority.get(id)! > priority.get(best)! ? id : best),
      undefined,
    );
  const roots = nodes
    .filter((node) => node.dependsOn.every((dep) => !dependents.has(dep)))
    .map((node) => node.id);
  const path: string[] = [];
  let current = heaviest(roots);
  const weight = current === undefined ? 0 : priority.get(current)!;
  while (current !== undefined) {
    path.push(current);
    current = heaviest(dependents.get(current)!);
  }
  return { path, weight };
}
