import { LanesError } from "../errors.js";
import { runStatePath } from "../state/layout.js";
import { RunStateStore } from "../state/run-state.js";
import { endLeftovers, findResumableRun } from "./leftovers.js";

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
  await endLeftovers(unfinished, graceMs);
  unfinished.status = "abandoned";
  const store = new RunStateStore(runStatePath(repoRoot, unfinished.id), unfinished);
  await store.save();
  await store.flush();
}
