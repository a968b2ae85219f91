/**
 * What a dead run left: finding the run to resume (or to abandon), telling whether its
 * orchestrator still lives, and ending the processes it left running. Used by `lanes resume` and
 * by a new run that finds an unfinished one; kept apart from both so neither imports the other.
 */
import { readdir } from "node:fs/promises";
import { findRunCgroup } from "../agents/cgroup.js";
import { killProcessGroup } from "../agents/process-group.js";
import { endMarkedProcesses } from "../agents/sweep.js";
import { LanesError } from "../errors.js";
import { RESUMABLE_STATUSES, runStatePath, runsDir } from "../state/layout.js";
import { isProcessAlive } from "../state/proc.js";
import { type RunState, readRunState } from "../state/run-state.js";
import { isRunLive } from "../state/runs.js";

/** The newest run that can be resumed, or the one named. */
export async function findResumableRun(repoRoot: string, runId?: string): Promise<RunState> {
  if (runId) return readRunState(runStatePath(repoRoot, runId));
  let ids: string[] = [];
  try {
    ids = (await readdir(runsDir(repoRoot), { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort()
      .reverse();
  } catch {
    // No runs folder: no runs.
  }
  for (const id of ids) {
    const state = await readRunState(runStatePath(repoRoot, id)).catch(() => undefined);
    if (state && RESUMABLE_STATUSES.has(state.status)) return state;
  }
  throw new LanesError("E_NO_RUN", "there is no unfinished run to resume", {
    hint: "`lanes status` lists the runs; `lanes run` starts a new one",
  });
}

/** Whether the run's orchestrator is still alive (then it must not be resumed). */
export function isOrchestratorAlive(state: RunState): boolean {
  return state.pid !== process.pid && isRunLive(state);
}

/**
 * Ends every process a dead run left behind: the agent groups run.json names, its cgroup when
 * it had one, and any process that carries the run's LANES_RUN_ID marker (children that left
 * their group included, each ended by its pid: a double fork leads no group).
 */
export async function endLeftovers(state: RunState, graceMs: number): Promise<number> {
  const groups = new Set<number>();
  for (const task of Object.values(state.tasks)) {
    for (const recorded of [task.agent, task.verify, task.setup]) {
      if (recorded && isProcessAlive(recorded.pgid)) groups.add(recorded.pgid);
    }
  }
  await Promise.all([...groups].map((pgid) => killProcessGroup(pgid, graceMs).catch(() => {})));
  const inCgroup = (await findRunCgroup(state.id)?.end(graceMs)) ?? [];
  const marked = await endMarkedProcesses({ LANES_RUN_ID: state.id }, graceMs);
  return groups.size + new Set([...inCgroup, ...marked].map((p) => p.pid)).size;
}

/**
 * What a dead run left running, without ending it: its recorded process groups still alive, the
 * processes in its cgroup and `marked` (those carrying its LANES_RUN_ID, from one
 * `processesByEnv` for all runs); and whether its cgroup is still there (empty or not). `lanes
 * clean` reports and ends these.
 */
export function leftoversOf(
  state: RunState,
  marked: readonly number[],
): { processes: number; cgroup: boolean } {
  let groups = 0;
  for (const task of Object.values(state.tasks)) {
    for (const recorded of [task.agent, task.verify, task.setup]) {
      if (recorded && isProcessAlive(recorded.pgid)) groups++;
    }
  }
  const cgroup = findRunCgroup(state.id);
  const pids = new Set([...(cgroup?.pids() ?? []), ...marked]);
  return { processes: Math.max(groups, pids.size), cgroup: cgroup !== undefined };
}
