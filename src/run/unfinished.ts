/**
 * Runs that did not finish (interrupted, killed, or failed): finding the one to resume, ending
 * what a dead run left running, and abandoning it. `lanes resume` and a new `lanes run` both need
 * these, so they live apart from either (and neither imports the other).
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { killProcessGroup } from "../agents/process-group.js";
import { LanesError } from "../errors.js";
import { isProcessAlive, processesWithEnv } from "../state/proc.js";
import {
  RUNS_DIR,
  type RunState,
  RunStateStore,
  readRunState,
  runStatePath,
} from "../state/run-state.js";
import { isRunLive } from "../state/runs.js";

/** Run statuses `lanes resume` can continue. */
export const RESUMABLE = new Set(["running", "interrupted", "failed"]);

/** The newest run that can be resumed, or the one named. */
export async function findResumableRun(repoRoot: string, runId?: string): Promise<RunState> {
  if (runId) return readRunState(runStatePath(repoRoot, runId));
  let ids: string[] = [];
  try {
    ids = (await readdir(path.join(repoRoot, RUNS_DIR), { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort()
      .reverse();
  } catch {
    // No runs folder: no runs.
  }
  for (const id of ids) {
    const state = await readRunState(runStatePath(repoRoot, id)).catch(() => undefined);
    if (state && RESUMABLE.has(state.status)) return state;
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
 * Ends every process a dead run left behind: the agent groups run.json names, and any process
 * that carries the run's LANES_RUN_ID marker (children that left their group included).
 */
export async function endLeftovers(state: RunState, graceMs: number): Promise<number> {
  const groups = new Set<number>();
  for (const task of Object.values(state.tasks)) {
    if (task.agent && isProcessAlive(task.agent.pgid)) groups.add(task.agent.pgid);
  }
  for (const pid of processesWithEnv("LANES_RUN_ID", state.id)) groups.add(pid);
  await Promise.all([...groups].map((pgid) => killProcessGroup(pgid, graceMs).catch(() => {})));
  return groups.size;
}

/**
 * Marks a dead run abandoned, after ending whatever it left running: it is then never resumed,
 * and its branches are `lanes clean`'s to remove. The caller holds the repository lock.
 */
export async function abandonRun(
  repoRoot: string,
  state: RunState,
  graceMs: number,
): Promise<void> {
  await endLeftovers(state, graceMs);
  state.status = "abandoned";
  for (const task of Object.values(state.tasks)) task.agent = undefined;
  const store = new RunStateStore(runStatePath(repoRoot, state.id), state);
  await store.save();
  await store.flush();
}

/**
 * A new run on a repository whose last run was interrupted or killed would strand that run's
 * progress: say so and point at `lanes resume`, or, when told to (`--yes`), mark the old run
 * abandoned (ending anything it left running) and go on.
 */
export async function settleUnfinishedRun(
  repoRoot: string,
  abandon: boolean,
  graceMs: number,
): Promise<void> {
  const unfinished = await findResumableRun(repoRoot).catch(() => undefined);
  if (!unfinished || unfinished.status === "failed") return;
  if (!abandon) {
    throw new LanesError(
      "E_RUN_UNFINISHED",
      `run ${unfinished.id} did not finish (${unfinished.status === "running" ? "it was killed" : "it was interrupted"})`,
      {
        hint: "continue it with `lanes resume`, or start a new run anyway with `lanes run --yes` (the old run is then abandoned)",
      },
    );
  }
  await abandonRun(repoRoot, unfinished, graceMs);
}
