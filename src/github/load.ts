// GitHub issues as lanes tasks: the issues a user names (or every open issue with a label), with
// their dependencies from all three places GitHub users write them (blocked-by relations, body
// lines, depends-on/N labels). Open dependencies not asked for are pulled in, closed ones count as
// done, and a cycle is refused, all before anything starts, as for local task files.
import { LanesError } from "../errors.js";
import { findCycle } from "../graph/graph.js";
import type { Task } from "../tasks/task.js";
import { type ConnectOptions, connectGithub, type GithubClient } from "./client.js";
import {
  checkRepository,
  fetchBlockedBy,
  fetchIssue,
  type GithubIssue,
  listIssuesWithLabel,
} from "./issues.js";
import { parseBodyDependencies, parseLabelDependencies } from "./references.js";
import { issueBranchName } from "./slug.js";

/** A task from a GitHub issue: a `Task` (id = the number) plus where it came from. */
export interface GithubTask extends Task {
  issue: { number: number; url: string };
  /** The lane branch, `lanes/<number>-<slug of the title>`, which is also the pull request's head. */
  branch: string;
}

export interface LoadGithubTasksOptions extends ConnectOptions {
  /** Issue numbers the user named (`lanes run 12 13`). */
  numbers?: number[];
  /** Every open issue with this label (`--github --label ready`). */
  label?: string;
  /** A client already made (by the caller, for the publishing that follows). */
  client?: GithubClient;
}

export interface GithubTaskLoad {
  /** Tasks to run, by issue number; each `dependsOn` names only tasks in this list. */
  tasks: GithubTask[];
  /** Ids of open dependencies added because a chosen issue needs them. */
  pulledIn: string[];
  /** Ids of issues asked for that are closed already: left out. */
  alreadyDone: string[];
  /** One line for each of the above and each closed dependency, for the caller to print. */
  notes: string[];
  client: GithubClient;
}

/** `#12 -> #13 -> #12`: issue ids printed as GitHub users write them. */
export function formatIssueCycle(cycle: readonly string[]): string {
  return cycle.map((id) => `#${id}`).join(" -> ");
}

function toTask(issue: GithubIssue, dependsOn: number[]): GithubTask {
  return {
    id: String(issue.number),
    title: issue.title,
    body: issue.body,
    dependsOn: dependsOn.map(String),
    labels: issue.labels,
    status: "ready",
    files: [],
    // Where the task comes from, in messages; not a path in the repository, so nothing is written back.
    file: issue.url,
    issue: { number: issue.number, url: issue.url },
    branch: issueBranchName(issue.number, issue.title),
  };
}

function refuseNonIssue(issue: GithubIssue, client: GithubClient, neededBy?: number): void {
  const subject = neededBy === undefined ? `#${issue.number}` : `#${neededBy}'s dependency`;
  if (issue.isPullRequest && (neededBy === undefined || issue.state === "open")) {
    throw new LanesError(
      "E_GITHUB_ISSUE",
      `${subject} #${issue.number} in ${client.fullName} is a pull request, not an issue (${issue.url})`,
      {
        hint:
          neededBy === undefined
            ? "name issues to run; lanes opens pull requests itself"
            : `merge or close #${issue.number}, or remove it from #${neededBy}'s dependencies`,
      },
    );
  }
  if (issue.repository.toLowerCase() !== client.fullName.toLowerCase() && issue.state === "open") {
    throw new LanesError(
      "E_GITHUB_ISSUE",
      `#${neededBy} is blocked by ${issue.repository}#${issue.number}, an open issue in another repository`,
      {
        hint: `close ${issue.repository}#${issue.number} first, or remove the blocked-by relation`,
      },
    );
  }
}

/**
 * Loads issues as tasks. Every GitHub problem (no token, a rejected token, an unknown repository
 * or issue, a rate limit, a cycle) is a LanesError with exit 2, found before anything starts.
 */
export async function loadGithubTasks(options: LoadGithubTasksOptions): Promise<GithubTaskLoad> {
  if ((options.numbers ?? []).length === 0 && options.label === undefined) {
    throw new LanesError("E_USAGE", "no GitHub issues named", {
      hint: "name issues by number (lanes run 12 13) or by label (lanes run --github --label ready)",
    });
  }
  if (options.label !== undefined && options.label.trim() === "") {
    throw new LanesError("E_USAGE", "the GitHub label is empty", {
      hint: "name a label: --label ready",
    });
  }
  const client = options.client ?? (await connectGithub(options));
  await checkRepository(client);
  const numbers = [...new Set(options.numbers ?? [])];
  const asked: GithubIssue[] = await Promise.all(numbers.map((n) => fetchIssue(client, n)));
  for (const issue of asked) refuseNonIssue(issue, client);
  if (options.label !== undefined) {
    for (const issue of await listIssuesWithLabel(client, options.label)) {
      if (!asked.some((other) => other.number === issue.number)) asked.push(issue);
    }
  }

  const notes: string[] = [];
  const alreadyDone: string[] = [];
  const known = new Map<number, GithubIssue>();
  let frontier: GithubIssue[] = [];
  for (const issue of asked) {
    known.set(issue.number, issue);
    if (issue.state === "closed") {
      alreadyDone.push(String(issue.number));
      notes.push(`#${issue.number} is closed: left out`);
    } else frontier.push(issue);
  }

  const chosen = new Map<number, { issue: GithubIssue; deps: number[] }>();
  const pulledIn: string[] = [];
  while (frontier.length > 0) {
    const next: GithubIssue[] = [];
    const depsOf = await Promise.all(frontier.map((issue) => dependenciesOf(client, issue, known)));
    for (const [index, issue] of frontier.entries()) {
      const open: number[] = [];
      for (const dep of depsOf[index]!) {
        refuseNonIssue(dep, client, issue.number);
        if (dep.state === "closed") {
          notes.push(`#${issue.number} depends on #${dep.number}, which is closed: counts as done`);
          continue;
        }
        open.push(dep.number);
        const queued = (list: GithubIssue[]) => list.some((other) => other.number === dep.number);
        if (!chosen.has(dep.number) && !queued(frontier) && !queued(next)) {
          if (!queued(asked)) {
            pulledIn.push(String(dep.number));
            notes.push(`#${dep.number} pulled in: #${issue.number} depends on it and it is open`);
          }
          next.push(dep);
        }
      }
      chosen.set(issue.number, { issue, deps: open });
    }
    frontier = next.filter((issue) => !chosen.has(issue.number));
  }

  const tasks = [...chosen.values()]
    .sort((a, b) => a.issue.number - b.issue.number)
    .map(({ issue, deps }) => toTask(issue, deps));
  const cycle = findCycle(tasks);
  if (cycle) {
    throw new LanesError(
      "E_TASK_CYCLE",
      `dependency cycle between issues: ${formatIssueCycle(cycle)} (in ${client.fullName})`,
      {
        hint: 'break it by removing one "Depends on"/"Blocked by" line, depends-on/N label or blocked-by relation',
      },
    );
  }
  return { tasks, pulledIn, alreadyDone, notes, client };
}

/**
 * The issues `issue` depends on, from its blocked-by relations, its body and its labels, each
 * fetched once (`known` caches them across the whole load).
 */
async function dependenciesOf(
  client: GithubClient,
  issue: GithubIssue,
  known: Map<number, GithubIssue>,
): Promise<GithubIssue[]> {
  const deps: GithubIssue[] = [];
  const blockers = await fetchBlockedBy(client, issue.number);
  for (const blocker of blockers) {
    const sameRepository = blocker.repository.toLowerCase() === client.fullName.toLowerCase();
    const cached = sameRepository ? known.get(blocker.number) : undefined;
    if (sameRepository && !cached) known.set(blocker.number, blocker);
    deps.push(cached ?? blocker);
  }
  const written = [
    ...parseBodyDependencies(issue.body),
    ...parseLabelDependencies(issue.labels),
  ].filter(
    (number) => !deps.some((dep) => dep.number === number && dep.repository === issue.repository),
  );
  for (const number of new Set(written)) {
    let dep = known.get(number);
    if (!dep) {
      dep = await fetchIssue(client, number, `issue #${number} (a dependency of #${issue.number})`);
      known.set(number, dep);
    }
    deps.push(dep);
  }
  return deps;
}
