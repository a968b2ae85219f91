/**
 * Which tasks a run or plan covers once GitHub is a source: ids made only of digits (or `#12`) name
 * issues, the rest name task files, and `--github` makes `--label` pick open issues instead of task
 * files. Issues are loaded (with their pulled-in dependencies) before anything starts; a run may
 * mix both sources, since their ids never collide (task files may not be named with digits only).
 */
import type { Settings } from "../config/schema.js";
import { LanesError } from "../errors.js";
import { type GithubClient, type GithubTaskLoad, loadGithubTasks } from "../github/index.js";
import type { SelectionRequest } from "../graph/select.js";
import type { Task } from "../tasks/task.js";
import type { PlanOptions } from "./options.js";
import type { Plan } from "./plan.js";

/** `12` and `#12` name issue 12. */
const ISSUE_ID = /^#?(\d+)$/;

export function splitIssueIds(ids: readonly string[]): { local: string[]; issues: number[] } {
  const local: string[] = [];
  const issues: number[] = [];
  for (const id of ids) {
    const match = ISSUE_ID.exec(id.trim());
    if (match) issues.push(Number(match[1]));
    else local.push(id);
  }
  return { local, issues };
}

export interface TaskCollection {
  /** Task files and issues together. */
  tasks: Task[];
  request: SelectionRequest;
  /** The issues loaded, with their notes; undefined when no issue was asked for. */
  github: GithubTaskLoad | undefined;
}

/** The GitHub client options the settings and environment give. */
export function connectOptions(repoRoot: string, settings: Settings, env: NodeJS.ProcessEnv) {
  const github = settings.github ?? {};
  return {
    cwd: repoRoot,
    env,
    settings: {
      ...(github.repository === undefined ? {} : { repository: github.repository }),
      ...(github.apiUrl === undefined ? {} : { apiUrl: github.apiUrl }),
      ...(github.remote === undefined ? {} : { remote: github.remote }),
    },
    paceWrites: github.paceWrites ?? true,
  };
}

/**
 * Adds the issues `options` names (numbers, or `--github --label`) to the task files, and says
 * which ids the selection takes. Every GitHub problem throws a LanesError (exit 2) here.
 */
export async function collectTasks(
  repoRoot: string,
  options: PlanOptions,
  settings: Settings,
  env: NodeJS.ProcessEnv,
  taskFiles: Task[],
  client?: GithubClient,
): Promise<TaskCollection> {
  const { local, issues } = splitIssueIds(options.ids ?? []);
  const labels = options.labels ?? [];
  const only = options.only ?? false;
  if (options.github && labels.length === 0 && issues.length === 0) {
    throw new LanesError("E_USAGE", "--github needs --label or issue numbers", {
      hint: "for example lanes run --github --label ready, or lanes run 12 13",
    });
  }
  const fromGithub = issues.length > 0 || (options.github === true && labels.length > 0);
  if (!fromGithub)
    return { tasks: taskFiles, request: { ids: local, labels, only }, github: undefined };

  const connect = connectOptions(repoRoot, settings, env);
  let load: GithubTaskLoad | undefined;
  const merge = (next: GithubTaskLoad) => {
    if (!load) {
      load = next;
      return;
    }
    for (const task of next.tasks) {
      if (!load.tasks.some((other) => other.id === task.id)) load.tasks.push(task);
    }
    load.pulledIn = [...new Set([...load.pulledIn, ...next.pulledIn])];
    load.alreadyDone = [...new Set([...load.alreadyDone, ...next.alreadyDone])];
    load.notes = [...new Set([...load.notes, ...next.notes])];
  };
  const githubLabels = options.github ? labels : [];
  if (issues.length > 0 || githubLabels.length === 0) {
    merge(await loadGithubTasks({ ...connect, numbers: issues, ...(client ? { client } : {}) }));
  }
  for (const label of githubLabels) {
    merge(await loadGithubTasks({ ...connect, label, client: client ?? load?.client }));
  }
  const loaded = load!;
  if (loaded.tasks.length === 0 && local.length === 0) {
    const asked = githubLabels.length > 0 ? `labelled ${githubLabels.join(" or ")}` : "named";
    throw new LanesError(
      "E_GITHUB_ISSUE",
      `no open issue ${asked} in ${loaded.client.fullName}${loaded.alreadyDone.length > 0 ? ` (closed: #${loaded.alreadyDone.join(", #")})` : ""}`,
      { hint: "name open issues, or label some (lanes run --github --label ready)" },
    );
  }
  return {
    tasks: [...taskFiles, ...loaded.tasks],
    // The loader already pulled in the open dependencies; `--only` leaves them out again.
    request: {
      ids: [
        ...local,
        ...loaded.tasks
          .filter((task) => !only || !loaded.pulledIn.includes(task.id))
          .map((task) => task.id),
      ],
      labels: options.github ? [] : labels,
      only,
    },
    github: loaded,
  };
}

/** The plan with what loading the issues found: pulled-in, closed, and a line for each. */
export function withGithubPlan(plan: Plan, github: GithubTaskLoad | undefined): Plan {
  if (!github) return plan;
  const pulledIn = github.pulledIn.filter((id) => plan.tasks.some((task) => task.id === id));
  return {
    ...plan,
    pulled_in: [...plan.pulled_in, ...pulledIn],
    already_done: [...plan.already_done, ...github.alreadyDone],
    notes: [...(plan.notes ?? []), ...github.notes],
  };
}
