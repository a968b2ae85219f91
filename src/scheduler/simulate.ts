/**
 * A discrete-event simulator on a virtual clock: runs a task graph through the real Scheduler
 * with made-up durations, so that scheduling policies are compared and their invariants tested
 * in milliseconds of CPU, with no processes and no wall clock.
 */
import { computePriorities, criticalPath } from "../graph/priorities.js";
import { computeWaves } from "../graph/waves.js";
import { Scheduler } from "./scheduler.js";
import type {
  Decision,
  OverlapPolicy,
  SchedulerMode,
  SchedulerOptions,
  SchedulerTask,
  SchedulerTaskState,
} from "./types.js";

export interface SimTask {
  id: string;
  dependsOn: string[];
  /** How long the agent really takes. */
  durationMs: number;
  /** What the scheduler believes it takes ("lanes" policy); durationMs when absent. */
  estimateMs?: number;
  /** What the task expects to touch: overlapping tasks are kept apart unless `overlap: "allow"`. */
  files?: readonly string[];
}

/**
 * - lanes: longest remaining path first, weighted by estimates;
 * - lanes-no-estimates: the same with every task weighing 1;
 * - waves: dependency level by level, each level waiting for its slowest task, input order;
 * - fcfs: ready tasks in the order their dependencies were met.
 */
export type SimPolicy = "lanes" | "lanes-no-estimates" | "waves" | "fcfs";

export interface SimOptions {
  concurrency: number;
  policy: SimPolicy;
  mode?: SchedulerMode;
  /** Tasks whose agent fails every attempt (a retryable failure, like a crash). */
  failing?: Set<string>;
  /** Tasks whose agent fails its first attempt only. */
  flaky?: Set<string>;
  retries?: number;
  backoffMs?: number | ((attempt: number) => number);
  /** Post-agent time (commit, verify, merge) per task, through one merge queue. */
  mergeMs?: number;
  overlap?: OverlapPolicy;
}

export interface SimStart {
  id: string;
  attempt: number;
  at: number;
  /** When the agent exited or was cancelled. */
  end: number;
  outcome: "ok" | "failed" | "cancelled";
}

export interface SimResult {
  makespanMs: number;
  maxRunning: number;
  /** Whether the run ever used every slot of the limit in force. */
  reachedLimit: boolean;
  starts: SimStart[];
  finalStates: Record<string, SchedulerTaskState>;
  /** When each done task was merged: its dependents may not start before. */
  doneAt: Record<string, number>;
}

type SimEvent = { at: number; seq: number; kind: "exit" | "retry" | "merged"; id: string };

export function simulate(tasks: SimTask[], opts: SimOptions): SimResult {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const scheduler = makeScheduler(tasks, opts);
  const mergeMs = opts.mergeMs ?? 0;
  let now = 0;
  let seq = 0;
  let makespanMs = 0;
  let maxRunning = 0;
  const events: SimEvent[] = [];
  const running = new Map<string, SimStart>();
  const starts: SimStart[] = [];
  const doneAt: Record<string, number> = {};
  const mergeQueue: string[] = [];
  let merging: string | undefined;

  const push = (kind: SimEvent["kind"], id: string, delay: number) =>
    events.push({ at: now + delay, seq: seq++, kind, id });

  const complete = (id: string) => {
    doneAt[id] = now;
    makespanMs = Math.max(makespanMs, now);
    act(scheduler.completed(id, true));
  };

  // One merge at a time, as the real merge queue does.
  const nextMerge = () => {
    while (merging === undefined && mergeQueue.length > 0) {
      const id = mergeQueue.shift()!;
      if (mergeMs === 0) {
        complete(id);
      } else {
        merging = id;
        push("merged", id, mergeMs);
      }
    }
  };

  const act = (decisions: Decision[]): void => {
    for (const decision of decisions) {
      if (decision.type === "start") {
        const start: SimStart = {
          id: decision.id,
          attempt: decision.attempt,
          at: now,
          end: now + byId.get(decision.id)!.durationMs,
          outcome: "ok",
        };
        starts.push(start);
        running.set(decision.id, start);
        maxRunning = Math.max(maxRunning, running.size);
        push("exit", decision.id, start.end - now);
      } else if (decision.type === "retry_later") {
        push("retry", decision.id, decision.delayMs);
      } else if (decision.type === "stop" && decision.cancelRunning) {
        for (const [id, start] of [...running]) {
          start.end = now;
          start.outcome = "cancelled";
          running.delete(id);
          removeEvents(events, "exit", id);
          act(scheduler.cancelled(id));
        }
      }
    }
  };

  act(scheduler.poll());
  while (events.length > 0) {
    const event = takeEarliest(events);
    now = event.at;
    if (event.kind === "exit") {
      const start = running.get(event.id)!;
      running.delete(event.id);
      makespanMs = Math.max(makespanMs, now);
      const failed =
        opts.failing?.has(event.id) === true ||
        (opts.flaky?.has(event.id) === true && start.attempt === 1);
      start.outcome = failed ? "failed" : "ok";
      act(scheduler.agentExited(event.id, { ok: !failed, retryable: true }));
      if (!failed) {
        mergeQueue.push(event.id);
        nextMerge();
      }
    } else if (event.kind === "retry") {
      act(scheduler.retryDue(event.id));
    } else {
      merging = undefined;
      complete(event.id);
      nextMerge();
    }
  }
  if (!scheduler.isFinished) {
    throw new Error(
      `simulate: the scheduler is not finished (${JSON.stringify(scheduler.counts)})`,
    );
  }
  const finalStates: Record<string, SchedulerTaskState> = {};
  for (const task of tasks) finalStates[task.id] = scheduler.state(task.id);
  return {
    makespanMs,
    maxRunning,
    reachedLimit: maxRunning >= scheduler.concurrency,
    starts,
    finalStates,
    doneAt,
  };
}

/** No schedule can beat the critical path, nor the total work spread over every slot. */
export function lowerBound(tasks: SimTask[], concurrency: number): number {
  const durationOf = durations(tasks);
  const total = tasks.reduce((sum, t) => sum + t.durationMs, 0);
  return Math.max(criticalPath(tasks, durationOf).weight, total / concurrency);
}

function makeScheduler(tasks: SimTask[], opts: SimOptions): Scheduler {
  const backoff = opts.backoffMs ?? 0;
  const options: SchedulerOptions = {
    concurrency: opts.concurrency,
    mode: opts.mode ?? "parallel",
    retries: opts.retries ?? 0,
    backoffMs: typeof backoff === "number" ? () => backoff : backoff,
    overlap: opts.overlap ?? "avoid",
  };
  const withPriorities = (priorities: Map<string, number> | undefined): SchedulerTask[] =>
    tasks.map((t) => ({
      id: t.id,
      dependsOn: t.dependsOn,
      priority: priorities?.get(t.id) ?? 0,
      files: t.files,
    }));

  switch (opts.policy) {
    case "lanes": {
      const estimate = new Map(tasks.map((t) => [t.id, t.estimateMs ?? t.durationMs]));
      return new Scheduler(
        withPriorities(computePriorities(tasks, (id) => estimate.get(id)!)),
        options,
      );
    }
    case "lanes-no-estimates":
      return new Scheduler(withPriorities(computePriorities(tasks, () => 1)), options);
    case "waves":
      // Equal priorities: inside a wave, input order, as wave-by-wave tools do.
      return new Scheduler(withPriorities(undefined), { ...options, batches: computeWaves(tasks) });
    case "fcfs":
      return new FcfsScheduler(withPriorities(undefined), options);
  }
}

/** The baseline a plain job queue gives: whoever became ready first starts first. */
class FcfsScheduler extends Scheduler {
  protected override before(a: string, b: string): boolean {
    return this.readyOrder(a) < this.readyOrder(b);
  }
}

function durations(tasks: SimTask[]): (id: string) => number {
  const byId = new Map(tasks.map((t) => [t.id, t.durationMs]));
  return (id) => byId.get(id)!;
}

/** Earliest event first; at equal times, in the order they were scheduled. */
function takeEarliest(events: SimEvent[]): SimEvent {
  let best = 0;
  for (let i = 1; i < events.length; i++) {
    const e = events[i]!;
    const b = events[best]!;
    if (e.at < b.at || (e.at === b.at && e.seq < b.seq)) best = i;
  }
  return events.splice(best, 1)[0]!;
}

function removeEvents(events: SimEvent[], kind: SimEvent["kind"], id: string): void {
  for (let i = events.length - 1; i >= 0; i--) {
    if (events[i]!.kind === kind && events[i]!.id === id) events.splice(i, 1);
  }
}
