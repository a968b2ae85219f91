import type { SettingsFile } from "../config/schema.js";
import type { SchedulerMode } from "../scheduler/types.js";
import type { LanesEvent } from "./events.js";

/** What `plan()` takes: where, which tasks, and settings that win over the files. */
export interface PlanOptions {
  /** A directory inside the repository; defaults to the current one. */
  cwd?: string;
  ids?: string[];
  labels?: string[];
  /** Exactly the ids given, without their unfinished dependencies. */
  only?: boolean;
  /** `labels` pick open GitHub issues instead of task files (`--github --label ready`). */
  github?: boolean;
  /** Settings that win over every file and the environment, as command-line flags do. */
  settings?: SettingsFile;
  env?: NodeJS.ProcessEnv;
}

/** Everything `run()` takes; the CLI's flags map onto these one to one. */
export interface RunOptions extends PlanOptions {
  mode?: SchedulerMode;
  /** Groups of task ids run in order (`--batch "a,b" --batch "c"`). */
  batches?: string[][];
  /** Fast-forward the base branch to the integration branch when every task succeeded. */
  land?: boolean;
  /** Abort = Ctrl-C: stop scheduling, end every agent, save state. */
  signal?: AbortSignal;
  onEvent?: (event: LanesEvent) => void;
  /** Emit `task_output` events with every line of agent output (`--stream`, live view). */
  streamOutput?: boolean;
  /** Start even though the last run did not finish, marking it abandoned (`--yes`). */
  abandonUnfinished?: boolean;
  /** Open pull requests as drafts (`--draft`). */
  draft?: boolean;
  /** Keep one comment per issue up to date as its task moves (`--comment`). */
  comment?: boolean;
  /** Randomness for retry jitter; injectable for tests. */
  random?: () => number;
}
