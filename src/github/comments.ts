// `--comment`: one comment per issue that lanes edits as the task moves (started, done with its
// pull request, failed with the reason and the log's last lines), never a stream of comments that
// notifies watchers at every step. A hidden marker finds lanes' comment again, in any later run.
import type { GithubClient } from "./client.js";

/** Invisible in the rendered comment; identifies the one comment lanes keeps on an issue. */
export const COMMENT_MARKER = "<!-- lanes:run -->";

const PUBLISHING = 1;

export interface IssueCommentRef {
  id: number;
  url: string;
  /** Posted by this call (false: lanes' earlier comment was edited). */
  created: boolean;
}

interface CommentData {
  id: number;
  html_url: string;
  body?: string | null;
}

/** Lanes' comment on the issue (the first holding the marker), if it has one. */
export async function findLanesComment(
  client: GithubClient,
  issue: number,
  marker = COMMENT_MARKER,
): Promise<CommentData | undefined> {
  const comments = await client.call(
    `the comments of issue #${issue}`,
    () =>
      client.octokit.paginate(client.octokit.rest.issues.listComments, {
        owner: client.owner,
        repo: client.repo,
        issue_number: issue,
        per_page: 100,
      }),
    PUBLISHING,
  );
  return (comments as CommentData[]).find((comment) => comment.body?.includes(marker));
}

export interface UpsertIssueCommentOptions {
  client: GithubClient;
  issue: number;
  /** The comment's text; the marker is added. */
  body: string;
  marker?: string;
}

/** Edits lanes' comment on the issue, or posts it the first time. */
export async function upsertIssueComment(
  options: UpsertIssueCommentOptions,
): Promise<IssueCommentRef> {
  const { client, issue } = options;
  const marker = options.marker ?? COMMENT_MARKER;
  const body = `${options.body.trimEnd()}\n\n${marker}\n`;
  const existing = await findLanesComment(client, issue, marker);
  if (existing) {
    const { data } = await client.call(
      `lanes' comment on issue #${issue}`,
      () =>
        client.octokit.rest.issues.updateComment({
          owner: client.owner,
          repo: client.repo,
          comment_id: existing.id,
          body,
        }),
      PUBLISHING,
    );
    return { id: data.id, url: data.html_url, created: false };
  }
  const { data } = await client.call(
    `a comment on issue #${issue}`,
    () =>
      client.octokit.rest.issues.createComment({
        owner: client.owner,
        repo: client.repo,
        issue_number: issue,
        body,
      }),
    PUBLISHING,
  );
  return { id: data.id, url: data.html_url, created: true };
}

export type TaskProgress =
  | { state: "started"; runId: string; branch: string }
  | { state: "done"; runId: string; branch: string; pullRequestUrl?: string }
  | { state: "failed"; runId: string; branch: string; reason: string; logTail?: string };

/** The comment's text for where the task is now. */
export function taskCommentBody(progress: TaskProgress): string {
  const run = `run \`${progress.runId}\`, branch \`${progress.branch}\``;
  switch (progress.state) {
    case "started":
      return `**lanes** is working on this issue (${run}).`;
    case "done":
      return progress.pullRequestUrl
        ? `**lanes** finished this issue (${run}): ${progress.pullRequestUrl}`
        : `**lanes** finished this issue (${run}).`;
    case "failed": {
      const tail = progress.logTail?.trimEnd();
      const log = tail
        ? `\n\nLast lines of the log:\n\n\`\`\`\n${tail.replaceAll("```", "'''")}\n\`\`\``
        : "";
      return `**lanes** could not finish this issue (${run}): ${progress.reason}. The branch is kept.${log}`;
    }
  }
}
