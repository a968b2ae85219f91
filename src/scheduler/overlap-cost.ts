/**
 * What keeping overlapping tasks apart costs, for `lanes plan`: the same graph run twice on the
 * virtual clock, once with overlapping tasks allowed together and once kept apart, with the
 * durations the caller believes (estimates). Pairs that dependencies already order never run
 * together anyway, so they are left out of the list and cost nothing.
 */
import { type OverlapPair, overlappingPairs } from "./overlap.js";
import { type SimOptions, type SimTask, simulate } from "./simulate.js";

export interface OverlapCost {
  /** Overlapping pairs that no dependency path already orders. */
  pairs: OverlapPair[];
  /** Makespan with overlapping tasks allowed to run together. */
  allowMs: number;
  /** Makespan with them kept apart (the default). */
  avoidMs: number;
  /**
   * avoidMs - allowMs. Usually >= 0; a greedy schedule can come out shorter when constrained,
   * so it may be negative.
   */
  costMs: number;
}

export type OverlapCostOptions = Pick<SimOptions, "concurrency" | "mode" | "mergeMs">;

export function overlapCost(tasks: SimTask[], opts: OverlapCostOptions): OverlapCost {
  const ordered = dependencyOrder(tasks);
  const pairs = overlappingPairs(tasks).filter(({ a, b }) => !ordered(a, b) && !ordered(b, a));
  const run = (overlap: "allow" | "avoid") =>
    simulate(tasks, { ...opts, policy: "lanes", overlap }).makespanMs;
  const allowMs = run("allow");
  const avoidMs = pairs.length === 0 ? allowMs : run("avoid");
  return { pairs, allowMs, avoidMs, costMs: avoidMs - allowMs };
}

/** `ordered(a, b)`: whether b depends on a, directly or through other tasks. */
function dependencyOrder(tasks: readonly SimTask[]): (a: string, b: string) => boolean {
  const dependsOn = new Map(tasks.map((t) => [t.id, t.dependsOn]));
  const ancestors = new Map<string, Set<string>>();
  const ancestorsOf = (id: string): Set<string> => {
    const known = ancestors.get(id);
    if (known !== undefined) return known;
    const found = new Set<string>();
    ancestors.set(id, found); // the graph is acyclic (the scheduler checks): no loop back here
    for (const dep of dependsOn.get(id) ?? []) {
      found.add(dep);
      for (const further of ancestorsOf(dep)) found.add(further);
    }
    return found;
  };
  return (a, b) => ancestorsOf(b).has(a);
}
