import type { AgentSetting } from "../config/schema.js";
import type { Phase } from "../quality/settings.js";

export const TASK_STATUSES = ["ready", "done", "failed", "skipped"] as const;
export type TaskFileStatus = (typeof TASK_STATUSES)[number];

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
  /** The task's own phases, overriding the settings' `phases`. */
  phases?: Phase[];
  /** The task file's path, relative to the repository root (a GitHub issue: its URL). */
  file: string;
  /** The lane branch when it is not `lanes/<id>` (an issue's `lanes/<number>-<slug>`). */
  branch?: string;
  /** The GitHub issue the task comes from. */
  issue?: { number: number; url: string };
}
