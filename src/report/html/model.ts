// What the HTML report shows, as one JSON-able value built by a pure function of the run's
// records: the page only draws it, and tests check it without a browser or a disk.
import { criticalPath } from "../../graph/priorities.js";
import { computeWaves } from "../../graph/waves.js";
import type { FailureReason, LanesEvent, TaskRunStatus, TokenUsage } from "../../run/events.js";
import {
  countStatuses,
  type RunOptionsRecord,
  type RunState,
  type RunStatus,
} from "../../state/run-state.js";
import { type Bar, barsFromEvents, holdsSlot, slotsInUse } from "./bars.js";

/** A task as the run planned it: what run.json does not hold. */
export interface PlannedTaskRecord {
  id: string;
  title: string;
  depends_on: string[];
}

export interface ReportInput {
  state: RunState;
  events: readonly LanesEvent[];
  /** Titles and dependencies, as the run recorded them (or today's task files for older runs). */
  planned: readonly PlannedTaskRecord[];
  /** The last lines of each failed task's log. */
  logTails: Readonly<Record<string, string[]>>;
  /** When the model is made: open bars of a live run end here. */
  now: number;
  /** The run's orchestrator is still at work. */
  live: boolean;
}

export interface ReportTask {
  id: string;
  title: string;
  status: TaskRunStatus;
  reason: FailureReason | null;
  detail: string | null;
  attempts: number;
  durationMs: number | null;
  tokens: TokenUsage | null;
  cost: number | null;
  branch: string;
  /** The pull request of the task, once lanes opens them. */
  pr: string | null;
  logPath: string | null;
  logTail: string[] | null;
  dependsOn: string[];
  bars: Bar[];
  /** Queue mode: the `lanes worker`s that ran its attempts, in order, each once. */
  workers: string[];
}

export interface ReportModel {
  version: 1;
  run: {
    id: string;
    status: RunStatus;
    live: boolean;
    startedAt: number;
    finishedAt: number | null;
    /** Milliseconds from the start to the end (or to now, for a live run). */
    elapsedMs: number;
    repoRoot: string;
    baseCommit: string;
    baseBranch: string | null;
    integrationBranch: string;
    options: RunOptionsRecord;
  };
  totals: {
    counts: Record<TaskRunStatus, number>;
    tokens: TokenUsage | null;
    cost: number | null;
    /** Measured: the heaviest dependency chain, by each task's duration (start to finish). */
    criticalPathMs: number;
    /** The agents' time, summed: what the slots had to hold. */
    workMs: number;
    /** max(critical path, work / concurrency): no schedule of these durations ends sooner. */
    lowerBoundMs: number;
  };
  criticalPath: string[];
  waves: string[][];
  tasks: ReportTask[];
  /** Agents at work over time: `[ms from start, agents]` steps. */
  slots: [number, number][];
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Builds the report's model; the same input always gives the same model. */
export function buildReportModel(input: ReportInput): ReportModel {
  const { state, live } = input;
  const start = state.startedAt;
  const end = state.finishedAt ?? (live ? input.now : lastEventTime(input.events, input.now));
  const planned = new Map(input.planned.map((task) => [task.id, task]));
  const ids = state.order.filter((id) => state.tasks[id]);
  const inRun = new Set(ids);
  const bars = barsFromEvents(input.events, start);
  // A run no process works on any more: what it left open ended with it.
  if (!live) {
    for (const list of bars.values()) {
      for (const bar of list) {
        if (bar[3] !== null) continue;
        bar[3] = Math.max(bar[2], end - start);
        bar[4] = "interrupted";
      }
    }
  }
  const nodes = ids.map((id) => ({
    id,
    dependsOn: (planned.get(id)?.depends_on ?? []).filter((dep) => inRun.has(dep)),
  }));
  const depsOf = new Map(nodes.map((node) => [node.id, node.dependsOn]));
  const durationOf = (id: string) => state.tasks[id]?.durationMs ?? 0;
  const critical = criticalPath(nodes, durationOf);
  // Work is what needs a slot: the agents' time, not waits before retries or merges.
  const workMs = sum(
    [...bars.values()].flatMap((list) =>
      list.filter(holdsSlot).map((bar) => (bar[3] ?? end - start) - bar[2]),
    ),
  );
  const concurrency = Math.max(1, state.options.concurrency);
  const withTokens = ids.flatMap((id) => state.tasks[id]!.tokens ?? []);
  const withCost = ids.flatMap((id) => state.tasks[id]!.cost ?? []);
  const counts = countStatuses(ids.map((id) => state.tasks[id]!));
  const workers = workersOf(input.events);
  const tasks = ids.map((id): ReportTask => {
    const task = state.tasks[id]!;
    return {
      id,
      title: planned.get(id)?.title ?? id,
      status: task.status,
      reason: task.reason ?? null,
      detail: task.detail ?? null,
      attempts: task.attempts,
      durationMs: task.durationMs ?? null,
      tokens: task.tokens ?? null,
      cost: task.cost ?? null,
      branch: task.branch,
      pr: task.pullRequest?.url ?? null,
      logPath: task.logPath ?? null,
      logTail: input.logTails[id] ?? null,
      dependsOn: depsOf.get(id) ?? [],
      bars: bars.get(id) ?? [],
      workers: workers.get(id) ?? [],
    };
  });
  return {
    version: 1,
    run: {
      id: state.id,
      status: state.status,
      live,
      startedAt: start,
      finishedAt: state.finishedAt ?? null,
      elapsedMs: Math.max(0, end - start),
      repoRoot: state.repoRoot,
      baseCommit: state.baseCommit,
      baseBranch: state.baseBranch ?? null,
      integrationBranch: state.integrationBranch,
      options: state.options,
    },
    totals: {
      counts,
      tokens:
        withTokens.length === 0
          ? null
          : {
              input: sum(withTokens.map((t) => t.input)),
              output: sum(withTokens.map((t) => t.output)),
            },
      cost: withCost.length === 0 ? null : sum(withCost),
      criticalPathMs: critical.weight,
      workMs,
      lowerBoundMs: Math.max(critical.weight, workMs / concurrency),
    },
    criticalPath: critical.weight > 0 ? critical.path : [],
    waves: computeWaves(nodes),
    tasks,
    slots: slotsInUse(bars.values(), Math.max(0, end - start)),
  };
}

/** Each task's workers (queue mode), from `task_started`, in the order they ran it. */
function workersOf(events: readonly LanesEvent[]): Map<string, string[]> {
  const workers = new Map<string, string[]>();
  for (const event of events) {
    if (event.type !== "task_started" || !event.worker) continue;
    const list = workers.get(event.taskId) ?? [];
    if (!list.includes(event.worker)) list.push(event.worker);
    workers.set(event.taskId, list);
  }
  return workers;
}

/** A run that died without finishing ends, for the report, at its last event. */
function lastEventTime(events: readonly LanesEvent[], fallback: number): number {
  return events.length > 0 ? events[events.length - 1]!.time : fallback;
}
