import { type GraphNode, topologicalOrder } from "./graph.js";

/**
 * Dependency levels: wave 0 holds tasks without dependencies, wave k those whose deepest
 * dependency sits in wave k-1. For display and planning only; the scheduler never waits for a wave.
 * Dependencies outside `nodes` (finished tasks) are ignored.
 */
export function computeWaves(nodes: readonly GraphNode[]): string[][] {
  const level = new Map<string, number>();
  const depsOf = new Map(nodes.map((node) => [node.id, node.dependsOn]));
  for (const id of topologicalOrder(nodes)) {
    let wave = 0;
    for (const dep of depsOf.get(id) ?? []) {
      const depLevel = level.get(dep);
      if (depLevel !== undefined) wave = Math.max(wave, depLevel + 1);
    }
    level.set(id, wave);
  }
  const waves: string[][] = [];
  for (const node of nodes) {
    const wave = level.get(node.id)!;
    while (waves.length <= wave) waves.push([]);
    waves[wave]!.push(node.id);
  }
  return waves;
}
