/**
 * `lanes resume`: continues a run that did not finish, with the options it was started with,
 * or abandons it (`--abort`), or abandons it and runs its tasks again from scratch (`--fresh`).
 */
import path from "node:path";
import { durationText } from "../config/duration.js";
import { loadSettings } from "../config/load.js";
import type { SettingsFile } from "../config/schema.js";
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
import { nothingToRun, prepareRun } from "./prepare.js";
import { writeLandedRecords } from "./records-on-landing.js";
import type { RunResult } from "./result.js";
import { abandonRun } from "./unfinished.js";

/** What to do with the run being resumed (autospec's prompt): each choice holds for any run. */
export type ResumeChoice = "retry" | "skip" | "fresh" | "abort";

export interface ResumeOptions
  extends Omit<RunOptions, "ids" | "labels" | "only" | "batches" | "mode"> {
  runId?: string;
  /**
   * `abort` and `fresh` abandon the run whatever it holds; `retry` and `skip` say what becomes
   * of its failed and skipped tasks. Without a choice, a run with none of those just continues.
   */
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
 * The settings a resumed run goes on with: those it was started with (run.json `options`), under
 * the flags given now, so that `--concurrency 3` survives an interrupt.
 */
export function resumedSettings(state: RunState, flags: SettingsFile = {}): SettingsFile {
  const recorded = state.options;
  return {
    concurrency: recorded.concurrency,
    retries: recorded.retries,
    timeout: recorded.timeout,
    ...(recorded.pr === undefined ? {} : { pr: recorded.pr }),
    ...(recorded.queue === undefined ? {} : { queue: recorded.queue }),
    ...flags,
  };
}

/** The user's choice: given, asked, or (nothing failed or skipped) simply continuing. */
async function chooseFor(state: RunState, options: ResumeOptions): Promise<ResumeChoice> {
  if (options.choice) return options.choice;
  const failed = state.order.filter((id) => state.tasks[id]?.status === "failed");
  const skipped = state.order.filter((id) => state.tasks[id]?.status === "skipped");
  if (failed.length + skipped.length === 0) return "retry";
  if (options.ask) return options.ask(failed, skipped);
  throw new LanesError(
    "E_USAGE",
    `run ${state.id} has ${failed.length} failed and ${skipped.length} skipped tasks: say what to do with them`,
    { hint: "pass --retry-failed, --skip-failed, --fresh or --abort (--yes retries)" },
  );
}

/**
 * `lanes resume`: ends what the dead run left running, keeps done tasks done, starts interrupted
 * tasks again from a clean lane, and treats failed and skipped tasks as the user chose; or, told
 * to abort or start fresh, abandons the run first (and with `fresh` runs its tasks anew).
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
  const choice = await chooseFor(found, options);
  if (choice === "abort") return abort(repoRoot, found, options);
  const settings = resumedSettings(found, options.settings);
  const mode = found.options.mode as RunOptions["mode"] & string;
  const batches = found.options.batches ? { batches: found.options.batches } : {};
  const land = options.land ?? found.options.land;
  // `--draft` and `--comment` go on as the run was started (`--pr` is in the settings above).
  const github = {
    ...(found.options.draft ? { draft: true } : {}),
    ...(found.options.comment ? { comment: true } : {}),
  };
  if (choice === "fresh") {
    return fresh(repoRoot, found, { ...options, ...github, settings, mode, ...batches, land });
  }
  const prepared = await prepareRun(
    { ...options, ...github, settings, ids: found.order, only: true, mode, ...batches },
    { resuming: true, writeLandedRecords: true },
  );
  const lock = await acquireRepoLock(repoRoot, found.id);
  try {
    const store = new RunStateStore(runStatePath(repoRoot, found.id), found);
    await endLeftovers(found, prepared.graceMs);
    // A later resume goes on with what this one was given.
    Object.assign(found.options, {
      concurrency: prepared.settings.concurrency,
      retries: prepared.settings.retries,
      timeout: durationText(prepared.settings.timeoutMs),
      land,
    });
    await resetUnfinished(prepared.git, found, choice);
    await store.save();
    await store.flush();
    const result = await new Orchestrator(
      {
        ...prepared,
        runId: found.id,
        baseCommit: found.baseCommit,
        baseBranch: found.baseBranch,
        worktreeRoot: found.worktreeRoot,
      },
      { ...options, land },
      found,
    ).execute();
    if (result.landed) await writeLandedRecords(prepared.git);
    return result;
  } finally {
    await lock.release();
  }
}

/** `--abort`: the run is abandoned and nothing starts, whatever the run holds. */
async function abort(repoRoot: string, found: RunState, options: ResumeOptions): Promise<never> {
  const { settings } = await loadSettings({
    repoRoot,
    ...(options.env ? { env: options.env } : {}),
    ...(options.settings ? { flags: options.settings } : {}),
  });
  const lock = await acquireRepoLock(repoRoot, found.id);
  try {
    await abandonRun(repoRoot, found, settings.gracePeriodMs);
  } finally {
    await lock.release();
  }
  throw new LanesError("E_RUN_UNFINISHED", `run ${found.id} abandoned; nothing was started`, {
    exitCode: 1,
    hint: "`lanes clean` removes its lanes; `lanes run` starts a new run",
  });
}

/**
 * `--fresh`: every check of a new run over the same tasks first, then the old run is abandoned
 * and the new one runs (from the current HEAD, with the old run's options).
 */
async function fresh(
  repoRoot: string,
  found: RunState,
  options: ResumeOptions & Pick<RunOptions, "mode" | "batches">,
): Promise<RunResult> {
  const runOptions: RunOptions = { ...options, ids: found.order, only: true };
  const prepared = await prepareRun(runOptions, { writeLandedRecords: true });
  const old = await acquireRepoLock(repoRoot, found.id);
  try {
    await abandonRun(repoRoot, found, prepared.graceMs);
  } finally {
    await old.release();
  }
  if (prepared.plan.tasks.length === 0) return nothingToRun(prepared);
  const lock = await acquireRepoLock(repoRoot, prepared.runId);
  try {
    const result = await new Orchestrator(prepared, runOptions).execute();
    if (result.landed) await writeLandedRecords(prepared.git);
    return result;
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
      // Its duration is its own run's: the dead run's time does not count.
      Object.assign(task, {
        status: "pending",
        reason: undefined,
        detail: undefined,
        startCommit: undefined,
        startedAt: undefined,
        finishedAt: undefined,
        durationMs: undefined,
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
