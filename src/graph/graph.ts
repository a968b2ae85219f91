import { LanesError } from "../errors.js";

/** The dependency edges of a set of tasks: only what graph algorithms need. */
export interface GraphNode {
  id: string;
  dependsOn: string[];
}

/** The first cycle found, as a closed path `[a, b, a]`, or undefined when the graph is acyclic. */
export function findCycle(nodes: readonly GraphNode[]): string[] | undefined {
  const depsOf = new Map(nodes.map((node) => [node.id, node.dependsOn]));
  const state = new Map<string, "visiting" | "done">();
  // Iterative depth-first search: a 10,000-task chain must not overflow the stack.
  for (const root of nodes) {
    if (state.has(root.id)) continue;
    const path: string[] = [];
    const stack: { id: string; next: number }[] = [{ id: root.id, next: 0 }];
    state.set(root.id, "visiting");
    path.push(root.id);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const deps = depsOf.get(frame.id) ?? [];
      if (frame.next < deps.length) {
        const dep = deps[frame.next++]!;
        if (!depsOf.has(dep)) continue;
        const seen = state.get(dep);
        if (seen === "visiting") return [...path.slice(path.indexOf(dep)), dep];
        if (seen === undefined) {
          state.set(dep, "visiting");
          path.push(dep);
          stack.push({ id: dep, next: 0 });
        }
      } else {
        state.set(frame.id, "done");
        path.pop();
        stack.pop();
      }
    }
  }
  return undefined;
}

/**
 * Checks that every dependency names a known task and that there is no cycle. `describe` says
 * where a task comes from (its file), so that the error names the culprit.
 */
export function validateGraph(
  nodes: readonly GraphNode[],
  describe: (id: string) => string = (id) => id,
): void {
  const ids = new Set(nodes.map((node) => node.id));
  for (const node of nodes) {
    for (const dep of node.dependsOn) {
      if (dep === node.id) {
        throw new LanesError(
          "E_TASK_CYCLE",
          `${describe(node.id)}: task "${node.id}" depends on itself`,
          {
            hint: `remove "${dep}" from depends_on`,
          },
        );
      }
      if (!ids.has(dep)) {
        throw new LanesError(
          "E_TASK_UNKNOWN_DEP",
          `${describe(node.id)}: depends_on names unknown task "${dep}"`,
          { hint: `create .lanes/tasks/${dep}.md or remove "${dep}" from depends_on` },
        );
      }
    }
  }
  const cycle = findCycle(nodes);
  if (cycle) {
    throw new LanesError(
      "E_TASK_CYCLE",
      `dependency cycle: ${cycle.join(" -> ")} (in ${describe(cycle[0]!)})`,
      { hint: "remove one of these depends_on entries to break the cycle" },
    );
  }
}

/** Who depends on each task, among `nodes` only (dependencies outside them are finished ones). */
export function dependentsMap(nodes: readonly GraphNode[]): Map<string, string[]> {
  const known = new Set(nodes.map((node) => node.id));
  const dependents = new Map<string, string[]>(nodes.map((node) => [node.id, []]));
  for (const node of nodes) {
    for (const dep of node.dependsOn) {
      if (known.has(dep)) dependents.get(dep)!.push(node.id);
    }
  }
  return dependents;
}

/** Kahn's order: dependencies before dependents, ties in input order. Assumes no cycle. */
export function topologicalOrder(nodes: readonly GraphNode[]): string[] {
  const known = new Set(nodes.map((node) => node.id));
  const dependents = dependentsMap(nodes);
  const remaining = new Map<string, number>();
  for (const node of nodes) {
    remaining.set(node.id, node.dependsOn.filter((dep) => known.has(dep)).length);
  }
  const order = nodes.filter((node) => remaining.get(node.id) === 0).map((node) => node.id);
  for (let i = 0; i < order.length; i++) {
    for (const next of dependents.get(order[i]!) ?? []) {
      const left = remaining.get(next)! - 1;
      remaining.set(next, left);
      if (left === 0) order.push(next);
    }
  }
  return order;
}
