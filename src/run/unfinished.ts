/**
 * Runs that did not finish (interrupted, killed, or failed): abandoning one, and what a new run
 * does when it finds one. Finding a run and ending what it left running are in leftovers.ts.
 */
import { LanesError } from "../errors.js";
import { runStatePath } from "../state/layout.js";
import { type RunState, RunStateStore } from "../state/run-state.js";
import { endLeftovers, findResumableRun } from "./leftovers.js";

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
  for (const task of Object.values(state.tasks)) {
    task.agent = undefined;
    task.verify = undefined;
  }
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
