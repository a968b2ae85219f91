// Opening the pull requests a run ends with: one per task (`--pr`), stacked on its dependency's
// branch when it has exactly one in the run, or one for the whole integration branch (`--pr run`).
// A pull request already open for the same head is updated instead, so that a resumed or repeated
// run never opens a second one. Failures are LanesErrors with exit 1: they fail the task (reason
// `github`), not the run before it starts.
import type { GithubClient } from "./client.js";
import {
  type BuildsOn,
  type RunPrTask,
  runPrBody,
  taskPrBody,
  type VerifyOutcome,
} from "./pr-body.js";

export interface PullRequestRef {
  number: number;
  url: string;
  /** The branch it merges into. */
  base: string;
  /** Opened by this call (false: an open one was updated). */
  created: boolean;
}

interface PullData {
  number: number;
  html_url: string;
  base: { ref: string };
}

const PUBLISHING = 1;

/** The open pull request whose head is `branch` in the client's repository, if any. */
export async function findOpenPullRequest(
  client: GithubClient,
  branch: string,
): Promise<{ number: number; url: string; base: string } | undefined> {
  const { data } = await client.call(
    `the open pull request for ${branch}`,
    () =>
      client.octokit.rest.pulls.list({
        owner: client.owner,
        repo: client.repo,
        state: "open",
        head: `${client.owner}:${branch}`,
        per_page: 10,
      }),
    PUBLISHING,
  );
  const pull = data[0] as PullData | undefined;
  return pull ? { number: pull.number, url: pull.html_url, base: pull.base.ref } : undefined;
}

export interface UpsertPullRequestOptions {
  client: GithubClient;
  head: string;
  base: string;
  title: string;
  body: string;
  /** Open as a draft (an existing pull request keeps its draft state). */
  draft?: boolean;
}

/** Updates the open pull request for `head` (title, body, base) or opens one. */
export async function upsertPullRequest(
  options: UpsertPullRequestOptions,
): Promise<PullRequestRef> {
  const { client, head, base, title, body } = options;
  const update = (number: number) =>
    client.call(
      `pull request #${number} for ${head}`,
      () =>
        client.octokit.rest.pulls.update({
          owner: client.owner,
          repo: client.repo,
          pull_number: number,
          title,
          body,
          base,
        }),
      PUBLISHING,
    );
  const existing = await findOpenPullRequest(client, head);
  if (existing) {
    await update(existing.number);
    return { number: existing.number, url: existing.url, base, created: false };
  }
  try {
    const { data } = await client.octokit.rest.pulls.create({
      owner: client.owner,
      repo: client.repo,
      head,
      base,
      title,
      body,
      draft: options.draft ?? false,
    });
    return { number: data.number, url: data.html_url, base, created: true };
  } catch (error) {
    // Opened meanwhile (another lanes on the same issue): GitHub says 422 "already exists".
    const raced =
      (error as { status?: unknown }).status === 422 && (await findOpenPullRequest(client, head));
    if (raced) {
      await update(raced.number);
      return { number: raced.number, url: raced.url, base, created: false };
    }
    throw client.fail(error, `a pull request from ${head} into ${base}`, PUBLISHING);
  }
}

/** A dependency of the task that ran in the same run, with the branch its work was pushed to. */
export interface InRunDependency {
  id: string;
  branch: string;
  issueNumber?: number;
}

export interface PublishTaskPrOptions {
  client: GithubClient;
  task: { id: string; title: string; branch: string; issue?: { number: number } };
  /** The branch a task without in-run dependencies merges into (the run's base branch). */
  baseBranch: string;
  /** Its dependencies that ran in this run (done, and pushed), in any order. */
  inRunDependencies?: InRunDependency[];
  runId: string;
  agentMessage?: string;
  verify?: VerifyOutcome;
  draft?: boolean;
}

/**
 * The pull request of one done task, whose branch the caller has pushed. With exactly one in-run
 * dependency it is stacked on that dependency's branch, so that its diff is its own work; with
 * several, it merges into the base branch and its body names the pull requests it builds on.
 */
export async function publishTaskPr(options: PublishTaskPrOptions): Promise<PullRequestRef> {
  const { client, task } = options;
  const deps = options.inRunDependencies ?? [];
  const buildsOn: BuildsOn[] = [];
  for (const dep of deps) {
    const pr = await findOpenPullRequest(client, dep.branch);
    buildsOn.push({
      branch: dep.branch,
      ...(dep.issueNumber === undefined ? {} : { issue: dep.issueNumber }),
      ...(pr ? { pr: { number: pr.number, url: pr.url } } : {}),
    });
  }
  const base = deps.length === 1 ? deps[0]!.branch : options.baseBranch;
  const body = taskPrBody({
    runId: options.runId,
    buildsOn,
    ...(task.issue ? { issueNumber: task.issue.number } : {}),
    ...(options.agentMessage === undefined ? {} : { agentMessage: options.agentMessage }),
    ...(options.verify ? { verify: options.verify } : {}),
  });
  return upsertPullRequest({
    client,
    head: task.branch,
    base,
    title: task.title,
    body,
    draft: options.draft ?? false,
  });
}

export interface PublishRunPrOptions {
  client: GithubClient;
  runId: string;
  /** The run's integration branch, pushed by the caller: the pull request's head. */
  integrationBranch: string;
  baseBranch: string;
  tasks: RunPrTask[];
  title?: string;
  draft?: boolean;
}

/** `--pr run`: one pull request for the integration branch, a checklist of the run's tasks. */
export async function publishRunPr(options: PublishRunPrOptions): Promise<PullRequestRef> {
  const done = options.tasks.filter((task) => task.state === "done").length;
  return upsertPullRequest({
    client: options.client,
    head: options.integrationBranch,
    base: options.baseBranch,
    title: options.title ?? `lanes run ${options.runId}: ${done} of ${options.tasks.length} tasks`,
    body: runPrBody({
      runId: options.runId,
      integrationBranch: options.integrationBranch,
      tasks: options.tasks,
    }),
    draft: options.draft ?? false,
  });
}
