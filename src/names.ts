/**
 * The names lanes gives things in git, in one place: the task id rule, the lane branch of a task
 * and the integration branch of a run, and the branch names lanes reserves for them. Branch and
 * path names are derived from a checked id only, so task ids never reach git unchecked.
 */
import { LanesError } from "./errors.js";
import { assertRefName } from "./git/repo.js";

/** A task id: the task file's name without `.md`. Safe as a path segment and in a branch name. */
export const TASK_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The folder of lane branches: `lanes/<task-id>`. */
export const LANE_BRANCH_PREFIX = "lanes/";
/** The folder of integration branches: `lanes/run/<run-id>`. */
export const INTEGRATION_BRANCH_PREFIX = "lanes/run/";
/**
 * Branches that must not exist for lanes to work: git cannot hold a branch and branches below
 * it, so a branch `lanes` blocks every lane branch and `lanes/run` every integration branch.
 */
export const RESERVED_BRANCHES = ["lanes", "lanes/run"] as const;

/**
 * Ids the pattern allows that still cannot name a lane: git refuses `lanes/a..b` and names
 * ending in `.` or `.lock`, and `lanes/run` would clash with the runs' `lanes/run/<run-id>`.
 */
export function laneNameProblem(id: string): string | undefined {
  if (id === "run")
    return '"run" is reserved (lanes/run/<run-id> holds each run\'s integration branch)';
  if (id.includes("..")) return 'it contains ".." (git refuses ".." in branch names)';
  if (id.endsWith(".") || id.endsWith(".lock"))
    return 'it ends in "." or ".lock" (git refuses such branch names)';
  return undefined;
}

/** Refuses ids that would make an invalid or colliding ref, or a path outside its folder. */
export function assertLaneId(taskId: string): void {
  if (!TASK_ID_PATTERN.test(taskId) || laneNameProblem(taskId) !== undefined) {
    throw new LanesError("E_TASK_ID", `${JSON.stringify(taskId)} cannot name a lane`, {
      hint: 'rename the task: [a-z0-9][a-z0-9._-]{0,63}, without "..", a trailing "." or ".lock", and not "run"',
    });
  }
}

/** The lane branch of a task. */
export function laneBranchName(taskId: string): string {
  assertLaneId(taskId);
  return `${LANE_BRANCH_PREFIX}${taskId}`;
}

/** The lane branch of a task as loaded: its own (a GitHub issue's) or `lanes/<id>`. */
export function taskBranchName(task: { id: string; branch?: string | undefined }): string {
  if (task.branch === undefined) return laneBranchName(task.id);
  assertRefName(task.branch);
  return task.branch;
}

/** The integration branch of a run. */
export function integrationBranchName(runId: string): string {
  const name = `${INTEGRATION_BRANCH_PREFIX}${runId}`;
  assertRefName(name);
  return name;
}

/** Whether a branch name is a run's integration branch. */
export function isIntegrationBranch(branch: string): boolean {
  return branch.startsWith(INTEGRATION_BRANCH_PREFIX);
}
