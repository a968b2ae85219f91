// Reading issues from GitHub: one issue, the open issues with a label, an issue's "blocked by"
// relations, each in the few fields lanes uses, with 404s named after what was asked. GitHub lists
// pull requests among issues; they are marked so that the loader can refuse to run one.
import type { GithubClient } from "./client.js";

export interface GithubIssue {
  number: number;
  title: string;
  /** The body, "" when the issue has none. */
  body: string;
  labels: string[];
  state: "open" | "closed";
  /** The issue's page, for messages and pull request bodies. */
  url: string;
  isPullRequest: boolean;
  /** `owner/name` of the repository the issue lives in (blocked-by may cross repositories). */
  repository: string;
}

interface IssueData {
  number: number;
  title: string;
  body?: string | null;
  labels: (string | { name?: string })[];
  state: string;
  html_url: string;
  pull_request?: unknown;
  repository_url?: string;
}

function toIssue(data: IssueData, fallbackRepository: string): GithubIssue {
  const repository = /\/repos\/([^/]+\/[^/]+)$/.exec(data.repository_url ?? "")?.[1];
  return {
    number: data.number,
    title: data.title,
    body: data.body ?? "",
    labels: data.labels
      .map((label) => (typeof label === "string" ? label : (label.name ?? "")))
      .filter((name) => name !== ""),
    state: data.state === "closed" ? "closed" : "open",
    url: data.html_url,
    isPullRequest: data.pull_request !== undefined && data.pull_request !== null,
    repository: repository ?? fallbackRepository,
  };
}

/** Checks the repository exists and the token sees it, so that a later 404 means an issue. */
export async function checkRepository(client: GithubClient): Promise<void> {
  await client.call(`repository ${client.fullName}`, () =>
    client.octokit.rest.repos.get({ owner: client.owner, repo: client.repo }),
  );
}

/** One issue (or pull request); `what` names it in a 404 (`issue #99, a dependency of #12`). */
export async function fetchIssue(
  client: GithubClient,
  number: number,
  what = `issue #${number}`,
): Promise<GithubIssue> {
  const { data } = await client.call(what, () =>
    client.octokit.rest.issues.get({
      owner: client.owner,
      repo: client.repo,
      issue_number: number,
    }),
  );
  return toIssue(data as IssueData, client.fullName);
}

/** Every open issue with `label`, pull requests left out, oldest first. */
export async function listIssuesWithLabel(
  client: GithubClient,
  label: string,
): Promise<GithubIssue[]> {
  const items = await client.call(`open issues labelled "${label}"`, () =>
    client.octokit.paginate(client.octokit.rest.issues.listForRepo, {
      owner: client.owner,
      repo: client.repo,
      state: "open",
      labels: label,
      per_page: 100,
    }),
  );
  return items
    .map((item) => toIssue(item as IssueData, client.fullName))
    .filter((issue) => !issue.isPullRequest)
    .sort((a, b) => a.number - b.number);
}

/**
 * The issues that block `number` (GitHub's issue dependencies). A server without the feature
 * (older GitHub Enterprise) answers 404: then there are none, quietly.
 */
export async function fetchBlockedBy(client: GithubClient, number: number): Promise<GithubIssue[]> {
  try {
    const items = await client.octokit.paginate(
      "GET /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by",
      { owner: client.owner, repo: client.repo, issue_number: number, per_page: 100 },
    );
    return (items as IssueData[]).map((item) => toIssue(item, client.fullName));
  } catch (error) {
    if ((error as { status?: unknown }).status === 404) return [];
    throw client.fail(error, `the issues blocking #${number}`);
  }
}
