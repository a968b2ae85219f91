import type { AgentSetting } from "../config/schema.js";

export const TASK_STATUSES = ["ready", "done", "failed", "skipped"] as const;
export type TaskFileStatus = (typeof TASK_STATUSES)[number];

/** A task id: the task file's name without `.md`. Safe as a path segment and in a branch name. */
export const TASK_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

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

/** One unit of work for one agent, as loaded from `.lanes/tasks/<id>.md`. */
export interface Task {
  id: string;
  title: string;
  /** The Markdown body: the prompt, verbatim. */
  body: string;
  dependsOn: string[];
  labels: string[];
  status: TaskFileStatus;
  files: string[];
  /** Expected agent time in milliseconds, from `estimate: 20m`. */
  estimateMs?: number;
  /** The task's own agent, overriding the settings' `agent`. */
  agent?: AgentSetting;
  /** The task file's path, relative to the repository root. */
  file: string;
}
