/**
 * `lanes plan`'s account of tasks whose `files` overlap: which pairs the scheduler keeps apart
 * (those no dependency already orders) and what that costs end to end, from the same virtual
 * clock the scheduler runs on, with the plan's weights (estimates, or one per task without).
 */

import { type OverlapPair, overlappingPairs } from "../scheduler/overlap.js";
import { overlapCost } from "../scheduler/overlap-cost.js";
import type { OverlapPolicy } from "../scheduler/types.js";

export interface PlanOverlap {
  /** The `overlap` setting: "avoid" keeps the pairs apart, "allow" lets them run together. */
  policy: OverlapPolicy;
  /** Overlapping pairs that no dependency orders: the ones the setting decides about. */
  pairs: OverlapPair[];
  /**
   * Makespan with the pairs allowed together, and kept apart (in the plan's cost units); null
   * when no two tasks' files overlap, so that a plan of thousands of tasks simulates nothing.
   */
  makespan_together: number | null;
  makespan_apart: number | null;
  /** makespan_apart - makespan_together: what keeping them apart costs (may be negative). */
  cost: number;
}

export interface OverlapInput {
  id: string;
  dependsOn: string[];
  files: readonly string[];
  weight: number;
}

export function planOverlap(
  tasks: readonly OverlapInput[],
  concurrency: number,
  policy: OverlapPolicy,
): PlanOverlap {
  const declared = tasks.filter((task) => task.files.length > 0);
  if (overlappingPairs(declared).length === 0) {
    return { policy, pairs: [], makespan_together: null, makespan_apart: null, cost: 0 };
  }
  const result = overlapCost(
    tasks.map((task) => ({
      id: task.id,
      dependsOn: task.dependsOn,
      durationMs: task.weight,
      files: task.files,
    })),
    { concurrency },
  );
  return {
    policy,
    pairs: result.pairs,
    makespan_together: result.allowMs,
    makespan_apart: result.avoidMs,
    cost: result.costMs,
  };
}
