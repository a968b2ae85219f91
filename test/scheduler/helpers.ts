import { Scheduler } from "../../src/scheduler/scheduler.js";
import type { Decision, SchedulerOptions, SchedulerTask } from "../../src/scheduler/types.js";

/** `task("b", ["a"], 3)`: a task with its dependencies and priority. */
export function task(id: string, dependsOn: string[] = [], priority = 0): SchedulerTask {
  return { id, dependsOn, priority };
}

export function scheduler(tasks: SchedulerTask[], options: Partial<SchedulerOptions> = {}) {
  return new Scheduler(tasks, {
    concurrency: 2,
    mode: "parallel",
    retries: 0,
    backoffMs: (attempt) => 1000 * 2 ** (attempt - 2),
    ...options,
  });
}

export function startedIds(decisions: Decision[]): string[] {
  return decisions.flatMap((d) => (d.type === "start" ? [d.id] : []));
}

export function skippedIds(decisions: Decision[]): string[] {
  return decisions.flatMap((d) => (d.type === "skip" ? [d.id] : []));
}

/** Agent success and post-agent success in one go, as most tests need. */
export function succeed(s: Scheduler, id: string): Decision[] {
  return [...s.agentExited(id, { ok: true, retryable: false }), ...s.completed(id, true)];
}
