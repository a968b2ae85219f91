import { computePriorities, criticalPath } from "../graph/priorities.js";
import { type SelectionRequest, selectTasks } from "../graph/select.js";
import { computeWaves } from "../graph/waves.js";
import type { OverlapPolicy } from "../scheduler/types.js";
import type { Task } from "../tasks/task.js";
import { type PlanOverlap, planOverlap } from "./plan-overlap.js";

/** A task as the plan and the scheduler see it: dependencies only inside the selection. */
export interface PlannedTask {
  id: string;
  title: string;
  /** Dependencies as written in the task file. */
  depends_on: string[];
  labels: string[];
  wave: number;
  /** Longest remaining path from this task, itself included (estimate ms, or task count). */
  priority: number;
  estimate_ms: number | undefined;
  file: string;
}

export interface Plan {
  tasks: PlannedTask[];
  waves: string[][];
  critical_path: string[];
  pulled_in: string[];
  already_done: string[];
  /** `--only` runs these tasks although these dependencies of theirs are not done. */
  unmet_dependencies: { task: string; dependency: string }[];
  /** What loading GitHub issues found (a closed dependency counted done, say), one line each. */
  notes?: string[];
  concurrency: number;
  /** How many selected tasks carry an estimate: with any, `cost` is in milliseconds. */
  estimated: "all" | "some" | "none";
  cost: {
    /** Weight of the critical path: ms when estimated, else a number of tasks. */
    critical_path: number;
    total_work: number;
    /** max(critical path, total work / concurrency): no schedule can finish sooner. */
    lower_bound: number;
  };
  /** Tasks whose `files` overlap: kept apart unless `overlap: "allow"`, and what that costs. */
  overlap: PlanOverlap;
}

/**
 * Plans a selection of tasks: which run, in which waves, along which critical path, at what
 * cost. Pure: the same function feeds `lanes plan` and the scheduler's priorities.
 */
export function planTasks(
  all: readonly Task[],
  request: SelectionRequest,
  concurrency: number,
  overlap: OverlapPolicy = "avoid",
): Plan {
  const selection = selectTasks(all, request);
  const chosen = new Set(selection.ids);
  const byId = new Map(all.map((task) => [task.id, task]));
  const nodes = selection.ids.map((id) => ({
    id,
    dependsOn: byId.get(id)!.dependsOn.filter((dep) => chosen.has(dep)),
  }));
  const known = nodes.flatMap((node) => byId.get(node.id)!.estimateMs ?? []);
  const estimated = known.length === 0 ? "none" : known.length === nodes.length ? "all" : "some";
  // A task without an estimate weighs as much as the average estimated one: equal otherwise.
  const fallback = known.length === 0 ? 1 : known.reduce((a, b) => a + b, 0) / known.length;
  const weightOf = (id: string) => byId.get(id)!.estimateMs ?? fallback;
  const waves = computeWaves(nodes);
  const waveOf = new Map(waves.flatMap((ids, wave) => ids.map((id) => [id, wave] as const)));
  const priorities = computePriorities(nodes, weightOf);
  const critical = criticalPath(nodes, weightOf);
  const totalWork = nodes.reduce((sum, node) => sum + weightOf(node.id), 0);
  return {
    tasks: nodes.map((node) => {
      const task = byId.get(node.id)!;
      return {
        id: task.id,
        title: task.title,
        depends_on: task.dependsOn,
        labels: task.labels,
        wave: waveOf.get(task.id)!,
        priority: priorities.get(task.id)!,
        estimate_ms: task.estimateMs,
        file: task.file,
      };
    }),
    waves,
    critical_path: critical.path,
    pulled_in: selection.pulledIn,
    already_done: selection.alreadyDone,
    unmet_dependencies: selection.unmetDependencies,
    concurrency,
    estimated,
    cost: {
      critical_path: critical.weight,
      total_work: totalWork,
      lower_bound: Math.max(critical.weight, totalWork / concurrency),
    },
    overlap: planOverlap(
      nodes.map((node) => ({
        ...node,
        files: byId.get(node.id)!.files,
        weight: weightOf(node.id),
      })),
      concurrency,
      overlap,
    ),
  };
}

/** One warning per task that `--only` runs while a dependency of its is not done. */
export function unmetDependencyWarnings(plan: Plan): string[] {
  return plan.unmet_dependencies.map(
    ({ task, dependency }) =>
      `${task} runs without its dependency ${dependency}, which is not done (--only leaves it out)`,
  );
}
