/**
 * Checks what the scheduler is given. The caller validates tasks and batches first (with file
 * names and hints); this is the last guard, so that a bad schedule fails loudly at construction
 * instead of hanging a run with a task that can never start.
 */
import { LanesError, show } from "../errors.js";
import type { SchedulerOptions, SchedulerTask } from "./types.js";

/** Returns each task's batch index (0 for all when there are no batches). */
export function validateSchedule(
  tasks: SchedulerTask[],
  options: SchedulerOptions,
): Map<string, number> {
  checkCount("concurrency", options.concurrency, 1);
  checkCount("retries", options.retries, 0);

  const ids = new Set<string>();
  for (const task of tasks) {
    if (ids.has(task.id)) {
      throw new LanesError("E_TASK_DUPLICATE", `Task ${show(task.id)} is scheduled twice.`);
    }
    ids.add(task.id);
  }
  for (const task of tasks) {
    for (const dep of task.dependsOn) {
      if (!ids.has(dep)) {
        throw new LanesError(
          "E_TASK_UNKNOWN_DEP",
          `Task ${show(task.id)} depends on ${show(dep)}, which is not in this schedule.`,
          { hint: "Leave finished dependencies out of `dependsOn` before scheduling." },
        );
      }
    }
  }
  checkAcyclic(tasks);
  return batchIndex(tasks, options.batches);
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new LanesError(
      "E_USAGE",
      `Expected the scheduler's \`${name}\` to be an integer >= ${min}, got \`${String(value)}\` (${typeof value}).`,
    );
  }
}

/** Kahn's algorithm: whatever is left once no task can be peeled off lies on a cycle. */
function checkAcyclic(tasks: SchedulerTask[]): void {
  const unmet = new Map(tasks.map((t) => [t.id, new Set(t.dependsOn).size]));
  const dependents = new Map<string, string[]>(tasks.map((t) => [t.id, []]));
  for (const task of tasks) {
    for (const dep of new Set(task.dependsOn)) dependents.get(dep)!.push(task.id);
  }
  const queue = tasks.filter((t) => unmet.get(t.id) === 0).map((t) => t.id);
  for (let i = 0; i < queue.length; i++) {
    for (const next of dependents.get(queue[i]!)!) {
      const left = unmet.get(next)! - 1;
      unmet.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  if (queue.length < tasks.length) {
    const stuck = tasks.filter((t) => unmet.get(t.id)! > 0).map((t) => t.id);
    throw new LanesError(
      "E_TASK_CYCLE",
      `These tasks depend on each other in a cycle: ${stuck.join(", ")}.`,
    );
  }
}

function batchIndex(tasks: SchedulerTask[], batches: string[][] | undefined): Map<string, number> {
  if (batches === undefined) return new Map(tasks.map((t) => [t.id, 0]));
  const known = new Set(tasks.map((t) => t.id));
  const index = new Map<string, number>();
  batches.forEach((group, k) => {
    for (const id of group) {
      if (!known.has(id)) {
        throw new LanesError("E_USAGE", `Batch ${k + 1} names ${show(id)}, which is not a task.`);
      }
      if (index.has(id)) {
        throw new LanesError(
          "E_USAGE",
          `Task ${show(id)} is in batch ${index.get(id)! + 1} and in batch ${k + 1}.`,
        );
      }
      index.set(id, k);
    }
  });
  const missing = tasks.filter((t) => !index.has(t.id)).map((t) => t.id);
  if (missing.length > 0) {
    throw new LanesError("E_USAGE", `Tasks in no batch: ${missing.map(show).join(", ")}.`, {
      hint: "Every scheduled task must belong to exactly one batch.",
    });
  }
  for (const task of tasks) {
    for (const dep of task.dependsOn) {
      if (index.get(dep)! > index.get(task.id)!) {
        throw new LanesError(
          "E_USAGE",
          `Task ${show(task.id)} (batch ${index.get(task.id)! + 1}) depends on ${show(dep)}, ` +
            `which is in the later batch ${index.get(dep)! + 1}.`,
          { hint: `Move ${show(dep)} to an earlier batch, or ${show(task.id)} to a later one.` },
        );
      }
    }
  }
  return index;
}
