import path from "node:path";
import { LanesError } from "../errors.js";
import { createBranch } from "../git/merge.js";
import { branchExists, findRepoRoot } from "../git/repo.js";
import type { Git } from "../git/runner.js";
import { removeLane } from "../git/worktrees.js";
import { laneBranchName } from "../names.js";
import { RESUMABLE_STATUSES, runStatePath } from "../state/layout.js";
import { acquireRepoLock } from "../state/lock.js";
import { type RunState, RunStateStore } from "../state/run-state.js";
import { endLeftovers, findResumableRun, isOrchestratorAlive } from "./leftovers.js";
import type { RunOptions } from "./options.js";
import { Orchestrator } from "./orchestrator.js";
import { prepareRun } from "./prepare.js";
import type { RunResult } from "./result.js";
import { run } from "./run.js";

/** What to do with the failed and skipped tasks of the run being resumed (autospec's prompt). */
export type ResumeChoice = "retry" | "skip" | "fresh" | "abort";

export interface ResumeOptions
  extends Omit<RunOptions, "ids" | "labels" | "only" | "batches" | "mode"> {
  runId?: string;
  /** Needed when the run has failed or skipped tasks; `retry` is the default answer. */
  choice?: ResumeChoice;
  /** Asked when the run has failed or skipped tasks and no `choice` was given. */
  ask?: (failed: string[], skipped: string[]) => Promise<ResumeChoice>;
}

/** Tasks the integration branch already holds a merge of, though run.json did not record it. */
async function mergedTasks(git: Git, state: RunState): Promise<Map<string, string>> {
  const { stdout } = await git.run([
    "log",
    "--first-parent",
    "--format=%H %s",
    `${state.baseCommit}..refs/heads/${state.integrationBranch}`,
  ]);
  const merged = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const match = /^([0-9a-f]+) Merge lanes task ([^:]+):/.exec(line);
    if (match) merged.set(match[2]!, match[1]!);
  }
  return merged;
}

/**
 * `lanes resume`: ends what the dead run left running, keeps done tasks done, starts interrupted
 * tasks again from a clean lane, and treats failed and skipped tasks as the user chose.
 */
export async function resume(options: ResumeOptions = {}): Promise<RunResult> {
  const repoRoot = await findRepoRoot(options.cwd ?? process.cwd());
  const found = await findResumableRun(repoRoot, options.runId);
  if (!RESUMABLE_STATUSES.has(found.status)) {
    throw new LanesError(
      "E_NO_RUN",
      `run ${found.id} is ${found.status}: there is nothing to resume`,
      {
        hint: "`lanes status` lists the runs; `lanes run` starts a new one",
      },
    );
  }
  if (isOrchestratorAlive(found)) {
    throw new LanesError("E_LOCKED", `run ${found.id} is still running (pid ${found.pid})`, {
      hint: `follow it with \`lanes status ${found.id}\`, or stop it (kill -INT ${found.pid}) first`,
    });
  }
  const failed = found.order.filter((id) => found.tasks[id]?.status === "failed");
  const skipped = found.order.filter((id) => found.tasks[id]?.status === "skipped");
  let choice: ResumeChoice = "retry";
  if (failed.length + skipped.length > 0) {
    if (options.choice) choice = options.choice;
    else if (options.ask) choice = await options.ask(failed, skipped);
    else {
      throw new LanesError(
        "E_USAGE",
        `run ${found.id} has ${failed.length} failed and ${skipped.length} skipped tasks: say what to do with them`,
        { hint: "pass --retry-failed, --skip-failed, --fresh or --abort (--yes retries)" },
      );
    }
  }
  const prepared = await prepareRun(
    {
      ...options,
      ids: found.order,
      only: true,
      mode: found.options.mode as RunOptions["mode"] & string,
      ...(found.options.batches ? { batches: found.options.batches } : {}),
    },
    { resuming: true },
  );
  const lock = await acquireRepoLock(repoRoot, found.id);
  try {
    const store = new RunStateStore(runStatePath(repoRoot, found.id), found);
    await endLeftovers(found, prepared.graceMs);
    if (choice === "abort" || choice === "fresh") {
      found.status = "abandoned";
      for (const task of Object.values(found.tasks))
        Object.assign(task, { agent: undefined, verify: undefined });
      await store.save();
      await store.flush();
      if (choice === "abort") {
        throw new LanesError("E_RUN_UNFINISHED", `run ${found.id} abandoned; nothing was started`, {
          exitCode: 1,
          hint: "`lanes clean` removes its lanes; `lanes run` starts a new run",
        });
      }
      await lock.release();
      return run({ ...options, ids: found.order, only: true });
    }
    await resetUnfinished(prepared.git, found, choice);
    await store.save();
    await store.flush();
    return await new Orchestrator(
      {
        ...prepared,
        runId: found.id,
        baseCommit: found.baseCommit,
        baseBranch: found.baseBranch,
        worktreeRoot: found.worktreeRoot,
      },
      options,
      found,
    ).execute();
  } finally {
    await lock.release();
  }
}

/** Brings run.json in line with git and the user's choice; cleans the lanes that will run again. */
async function resetUnfinished(git: Git, state: RunState, choice: ResumeChoice): Promise<void> {
  // Killed between writing run.json and creating the integration branch: create it now.
  if (!(await branchExists(git, state.integrationBranch))) {
    await createBranch(git, state.integrationBranch, state.baseCommit);
  }
  const merged = await mergedTasks(git, state);
  const retry = choice === "retry";
  for (const id of state.order) {
    const task = state.tasks[id]!;
    Object.assign(task, { agent: undefined, verify: undefined });
    if (task.status === "done" && !task.worktree) continue;
    if (task.status === "done") {
      // Killed between its merge and the removal of its lane: finish that removal.
    } else if (merged.has(id)) {
      // Killed after the merge but before run.json said so: the work is in; do not run it again.
      Object.assign(task, {
        status: "done",
        mergeCommit: merged.get(id),
        reason: undefined,
        detail: undefined,
      });
    } else if (
      task.status === "running" ||
      task.status === "pending" ||
      (retry && (task.status === "failed" || task.status === "skipped"))
    ) {
      Object.assign(task, {
        status: "pending",
        reason: undefined,
        detail: undefined,
        startCommit: undefined,
      });
    } else continue;
    // A lane of a task that runs again (or whose merge is in) has nothing left to keep.
    await removeLane(git, task.worktree ?? path.join(state.worktreeRoot, id), {
      deleteBranch: true,
      force: true,
      branch: laneBranchName(id),
    }).catch(() => {});
    task.worktree = undefined;
  }
}
