/**
 * `lane.teardown` for the lanes `lanes clean` removes. A run tears a merged lane down before its
 * folder goes; a lane it kept (its task failed, or the run was killed) is left set up, with
 * whatever its setup started (a database, containers). Clean gives such a lane its teardown
 * before removing it, the same command with the same LANES_* variables, logged in the run's
 * folder; a failing teardown is reported and the lane is removed all the same.
 */
import path from "node:path";
import { loadSettings } from "../config/load.js";
import { runLaneTeardown } from "../lane/setup.js";
import { laneCommandLogPath, runDir } from "../state/layout.js";
import type { CleanAction, CleanFacts } from "./plan.js";

/** Runs a removed lane's teardown; resolves with why it failed, or undefined. */
export type LaneTeardown = (lanePath: string) => Promise<string | undefined>;

/**
 * The teardown for the lanes among `actions` whose setup ran in a run that is not live, or
 * undefined when there are none or the settings name no teardown. The settings are read only
 * when such a lane goes, so that a broken settings file does not stop any other clean.
 */
export async function laneTeardown(
  repoRoot: string,
  facts: CleanFacts,
  actions: readonly CleanAction[],
): Promise<LaneTeardown | undefined> {
  // Each lane's task, in the newest run that set it up (run ids sort by time).
  const setUp = new Map<string, { runId: string; taskId: string; branch: string }>();
  for (const run of [...facts.runs].sort((a, b) => a.id.localeCompare(b.id))) {
    if (run.live || !run.state) continue;
    for (const [taskId, task] of Object.entries(run.state.tasks)) {
      if (task.setupDone && task.worktree)
        setUp.set(path.resolve(task.worktree), { runId: run.id, taskId, branch: task.branch });
    }
  }
  const goes = actions.some(
    (action) => action.kind === "worktree" && setUp.has(path.resolve(action.path)),
  );
  if (!goes) return undefined;
  const { settings } = await loadSettings({ repoRoot });
  const command = settings.lane.teardown;
  if (command === undefined) return undefined;
  return async (lanePath) => {
    const lane = setUp.get(path.resolve(lanePath));
    if (!lane) return undefined;
    const result = await runLaneTeardown({
      command,
      lane: lanePath,
      env: {
        LANES_RUN_ID: lane.runId,
        LANES_TASK_ID: lane.taskId,
        LANES_PHASE: "teardown",
        LANES_WORKTREE: lanePath,
        LANES_BRANCH: lane.branch,
      },
      logPath: laneCommandLogPath(runDir(repoRoot, lane.runId), lane.taskId, "teardown"),
      timeoutMs: settings.lane.setupTimeoutMs,
      graceMs: settings.gracePeriodMs,
    });
    return result.ok ? undefined : result.message;
  };
}
