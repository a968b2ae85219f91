// The timeline's bars, read from the event stream alone: the report of a past run and the live
// dashboard draw the same thing from the same events.ndjson, whatever run.json says by now.
import type { LandingStep, LanesEvent } from "../../run/events.js";

/** How a bar ended: the colour it gets. `open` is still going (a live run). */
export type BarOutcome = "ok" | "failed" | "wait" | "interrupted" | "open";

/**
 * One bar: a phase of one attempt, in milliseconds from the run's start. A tuple, not an object:
 * a 2,000-task report carries thousands of them. `end` is null while the bar is open.
 */
export type Bar = [phase: string, attempt: number, start: number, end: number | null, BarOutcome];

/** The agent phases take a slot; these do not (they run after the agent freed it). */
export const LANDING_PHASES: Record<LandingStep, string> = {
  committing: "commit",
  verifying: "verify",
  resolving: "resolve",
  merging: "merge",
};
/** After the agent, before any `task_step` says which step: landing as a whole. */
export const LANDING = "land";
export const WAIT = "wait";

interface Open {
  bar: Bar;
  agent: boolean;
}

/**
 * Every task's bars: `task_started`..`agent_exited` for the agent phase, then `task_step`..the
 * next step (or the merge, or the finish) for landing, and a `wait` bar between a failed attempt
 * and its retry. A run that was resumed closes what its dead part left open as interrupted.
 */
export function barsFromEvents(
  events: readonly LanesEvent[],
  runStart: number,
): Map<string, Bar[]> {
  const bars = new Map<string, Bar[]>();
  const open = new Map<string, Open>();
  const attemptOf = new Map<string, number>();
  const at = (time: number) => Math.max(0, time - runStart);
  const start = (id: string, phase: string, time: number, agent: boolean) => {
    const bar: Bar = [phase, attemptOf.get(id) ?? 1, at(time), null, "open"];
    const list = bars.get(id) ?? [];
    if (list.length === 0) bars.set(id, list);
    list.push(bar);
    open.set(id, { bar, agent });
  };
  const close = (id: string, time: number, outcome: BarOutcome) => {
    const current = open.get(id);
    if (!current) return;
    current.bar[3] = Math.max(current.bar[2], at(time));
    current.bar[4] = current.bar[0] === WAIT ? "wait" : outcome;
    open.delete(id);
  };
  const closeAll = (time: number) => {
    for (const id of [...open.keys()]) close(id, time, "interrupted");
  };
  let lastTime = runStart;
  let runs = 0;
  // After `run_stopping`, an agent that exits unsuccessfully was most likely ended by lanes.
  let stopping = false;
  for (const event of events) {
    switch (event.type) {
      case "run_started":
        // A resumed run: whatever the dead process left open ended when it did.
        if (runs++ > 0) closeAll(lastTime);
        stopping = false;
        break;
      case "run_stopping":
        stopping = true;
        break;
      case "task_started":
        close(event.taskId, event.time, "ok");
        attemptOf.set(event.taskId, event.attempt);
        start(event.taskId, event.phase, event.time, true);
        break;
      case "agent_exited":
        close(event.taskId, event.time, event.ok ? "ok" : stopping ? "interrupted" : "failed");
        if (event.ok) start(event.taskId, LANDING, event.time, false);
        break;
      case "task_step": {
        const current = open.get(event.taskId);
        const phase = LANDING_PHASES[event.step];
        // The implicit landing bar becomes the first step it turned out to be.
        if (current && current.bar[0] === LANDING) current.bar[0] = phase;
        else {
          close(event.taskId, event.time, "ok");
          start(event.taskId, phase, event.time, false);
        }
        break;
      }
      case "attempt_failed": {
        // The attempt did fail on its own, even while the run was stopping.
        const last = bars.get(event.taskId)?.at(-1);
        if (!open.has(event.taskId) && last?.[1] === event.attempt && last[4] === "interrupted")
          last[4] = "failed";
        close(event.taskId, event.time, "failed");
        if (event.retryInMs !== undefined) start(event.taskId, WAIT, event.time, false);
        break;
      }
      case "task_merged":
        close(event.taskId, event.time, "ok");
        break;
      case "task_finished":
        close(event.taskId, event.time, event.status === "failed" ? "failed" : "ok");
        break;
      case "run_finished":
        closeAll(event.time);
        break;
    }
    lastTime = event.time;
  }
  // A landing bar that never saw a step and closed at once is noise at any zoom: drop it.
  for (const list of bars.values()) {
    for (let i = list.length - 1; i >= 0; i--) {
      const bar = list[i]!;
      if (bar[0] === LANDING && bar[3] !== null && bar[3] === bar[2]) list.splice(i, 1);
    }
  }
  return bars;
}

/** Whether a bar's phase is an agent's (it holds one of the run's slots). */
export function holdsSlot(bar: Bar): boolean {
  return bar[0] !== WAIT && bar[0] !== LANDING && !Object.values(LANDING_PHASES).includes(bar[0]);
}

/**
 * Agent slots in use over time, as the steps of a staircase: `[ms from start, agents]`, one
 * point per change. Open bars count until `now`.
 */
export function slotsInUse(all: Iterable<Bar[]>, now: number): [number, number][] {
  const changes: [number, number][] = [];
  for (const bars of all) {
    for (const bar of bars) {
      if (!holdsSlot(bar)) continue;
      changes.push([bar[2], 1], [bar[3] ?? now, -1]);
    }
  }
  // Ends before starts at the same instant: a slot handed over is not two in use.
  changes.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const points: [number, number][] = [[0, 0]];
  let inUse = 0;
  for (const [time, delta] of changes) {
    inUse += delta;
    const last = points[points.length - 1]!;
    if (last[0] === time) last[1] = inUse;
    else points.push([time, inUse]);
  }
  return points;
}
