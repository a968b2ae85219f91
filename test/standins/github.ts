/**
 * A stand-in of the GitHub REST API, for testing lanes' GitHub source and destination offline:
 * issues (with labels, state and "blocked by" dependencies), pull requests and issue comments held
 * in memory, answered with GitHub's response shapes, status codes and headers (401 bad token, 404
 * unknown repository or issue, 403 rate limit with `x-ratelimit-reset`, 422 duplicate pull
 * request, `Link` pagination). It reuses common.ts's recording server: every request is kept in
 * `requests`, so tests can assert on what lanes asked. Like GitHub, issues and pull requests share
 * one number sequence and the issue list includes pull requests (with a `pull_request` key).
 * A GitHub Enterprise base (`<url>/api/v3`) is accepted too.
 */
import { execFileSync } from "node:child_process";
import type { ServerResponse } from "node:http";
import {
  isRecord,
  type RecordedRequest,
  type Standin,
  startStandin,
  type WireFormat,
} from "./common.js";

export type { RecordedRequest } from "./common.js";

export interface IssueSeed {
  number: number;
  title: string;
  body?: string | null;
  labels?: string[];
  state?: "open" | "closed";
  /** Numbers of the issues that block this one (GitHub's "blocked by" relation). */
  blockedBy?: number[];
}

export interface StandinIssue {
  number: number;
  title: string;
  body: string | null;
  labels: string[];
  state: "open" | "closed";
  blockedBy: number[];
}

export interface StandinPull {
  number: number;
  title: string;
  body: string | null;
  /** Labels, which GitHub's issue list shows for pull requests too. */
  labels: string[];
  head: string;
  base: string;
  draft: boolean;
  state: "open" | "closed";
}

export interface StandinComment {
  id: number;
  issue: number;
  body: string;
}

export interface GithubStandinOptions {
  owner?: string;
  repo?: string;
  /** The one token the stand-in accepts; any other (or none) gets 401. */
  token?: string;
  issues?: IssueSeed[];
  /** Answer 404 for `.../dependencies/blocked_by`, as servers without the feature do. */
  dependenciesApi?: boolean;
  /**
   * The bare repository that plays the GitHub repository's git side: when given, a pull request
   * is refused (422) unless its head and base are pushed there and the head has commits of its own.
   */
  origin?: string;
}

export interface GithubStandin {
  /** `http://127.0.0.1:PORT`: the API base (GitHub Enterprise's `<url>/api/v3` also works). */
  url: string;
  owner: string;
  repo: string;
  token: string;
  requests: RecordedRequest[];
  issues: Map<number, StandinIssue>;
  pulls: StandinPull[];
  comments: StandinComment[];
  /** Answer 404 for blocked_by (false) or serve it (true). */
  dependenciesApi: boolean;
  /** While set, every request gets 403 rate limit with this reset (epoch seconds). */
  rateLimitResetAt: number | undefined;
  /** While set, every write gets 403 secondary rate limit with this `retry-after` (seconds). */
  secondaryRetryAfter: number | undefined;
  addIssue(seed: IssueSeed): StandinIssue;
  close(): Promise<void>;
}

const DOCS = "https://docs.github.com/rest";
const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;
const RATE_LIMIT = 5000;

interface State {
  origin: string | undefined;
  owner: string;
  repo: string;
  token: string;
  issues: Map<number, StandinIssue>;
  pulls: StandinPull[];
  comments: StandinComment[];
  nextNumber: number;
  nextCommentId: number;
  self: GithubStandin | undefined;
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "x-github-media-type": "github.v3; format=json",
    "x-ratelimit-limit": String(RATE_LIMIT),
    "x-ratelimit-remaining": String(RATE_LIMIT - 1),
    "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
    "x-ratelimit-resource": "core",
    ...headers,
  });
  response.end(status === 204 ? undefined : JSON.stringify(body));
}

function notFound(response: ServerResponse): void {
  send(response, 404, { message: "Not Found", documentation_url: DOCS, status: "404" });
}

function validationFailed(
  response: ServerResponse,
  message: string,
  field?: string,
  code = "missing_field",
): void {
  const error = field
    ? { resource: "PullRequest", field, code }
    : { resource: "PullRequest", code: "custom", message };
  send(response, 422, {
    message: "Validation Failed",
    errors: [error],
    documentation_url: DOCS,
    status: "422",
  });
}

function user(): Record<string, unknown> {
  return { login: "octocat", id: 1, node_id: "MDQ6VXNlcjE=", type: "User", site_admin: false };
}

function labelObject(name: string, index: number): Record<string, unknown> {
  return {
    id: 1000 + index,
    node_id: `LA_${index}`,
    url: `https://api.github.test/labels/${encodeURIComponent(name)}`,
    name,
    color: "ededed",
    default: false,
    description: null,
  };
}

function repoObject(state: State, base: string): Record<string, unknown> {
  return {
    id: 4242,
    node_id: "R_4242",
    name: state.repo,
    full_name: `${state.owner}/${state.repo}`,
    private: false,
    owner: { ...user(), login: state.owner },
    html_url: `https://github.test/${state.owner}/${state.repo}`,
    url: `${base}/repos/${state.owner}/${state.repo}`,
    default_branch: "main",
  };
}

function issueObject(state: State, base: string, issue: StandinIssue): Record<string, unknown> {
  const repoUrl = `${base}/repos/${state.owner}/${state.repo}`;
  const pull = state.pulls.find((candidate) => candidate.number === issue.number);
  return {
    id: 500_000 + issue.number,
    node_id: `I_${issue.number}`,
    url: `${repoUrl}/issues/${issue.number}`,
    repository_url: repoUrl,
    html_url: `https://github.test/${state.owner}/${state.repo}/issues/${issue.number}`,
    number: issue.number,
    state: issue.state,
    state_reason: issue.state === "closed" ? "completed" : null,
    title: issue.title,
    body: issue.body,
    user: user(),
    labels: issue.labels.map(labelObject),
    assignees: [],
    locked: false,
    comments: state.comments.filter((comment) => comment.issue === issue.number).length,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    closed_at: issue.state === "closed" ? "2026-01-02T00:00:00Z" : null,
    ...(pull
      ? {
          pull_request: {
            url: `${repoUrl}/pulls/${pull.number}`,
            html_url: `https://github.test/${state.owner}/${state.repo}/pull/${pull.number}`,
          },
        }
      : {}),
  };
}

function pullObject(state: State, base: string, pull: StandinPull): Record<string, unknown> {
  const repoUrl = `${base}/repos/${state.owner}/${state.repo}`;
  const repo = repoObject(state, base);
  return {
    id: 700_000 + pull.number,
    node_id: `PR_${pull.number}`,
    url: `${repoUrl}/pulls/${pull.number}`,
    html_url: `https://github.test/${state.owner}/${state.repo}/pull/${pull.number}`,
    issue_url: `${repoUrl}/issues/${pull.number}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    body: pull.body,
    user: user(),
    draft: pull.draft,
    merged: false,
    head: { label: `${state.owner}:${pull.head}`, ref: pull.head, sha: "0".repeat(40), repo },
    base: { label: `${state.owner}:${pull.base}`, ref: pull.base, sha: "0".repeat(40), repo },
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };
}

function commentObject(state: State, base: string, comment: StandinComment): unknown {
  const repoUrl = `${base}/repos/${state.owner}/${state.repo}`;
  return {
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url: `${repoUrl}/issues/comments/${comment.id}`,
    html_url: `https://github.test/${state.owner}/${state.repo}/issues/${comment.issue}#issuecomment-${comment.id}`,
    issue_url: `${repoUrl}/issues/${comment.issue}`,
    body: comment.body,
    user: user(),
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };
}

/** One page of a list, with GitHub's `Link` header when there are other pages. */
function sendPage(
  response: ServerResponse,
  base: string,
  path: string,
  query: URLSearchParams,
  items: unknown[],
): void {
  const perPage = Math.min(Number(query.get("per_page")) || DEFAULT_PER_PAGE, MAX_PER_PAGE);
  const page = Math.max(Number(query.get("page")) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (n: number) => {
    const params = new URLSearchParams(query);
    params.set("per_page", String(perPage));
    params.set("page", String(n));
    return `<${base}${path}?${params}>`;
  };
  const links: string[] = [];
  if (page < last) links.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (page > 1) links.push(`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`);
  send(
    response,
    200,
    items.slice((page - 1) * perPage, page * perPage),
    links.length > 0 ? { link: links.join(", ") } : {},
  );
}

function stringField(body: unknown, key: string): string | undefined {
  return isRecord(body) && typeof body[key] === "string" ? body[key] : undefined;
}

/** Issues and, as GitHub lists them among issues, pull requests. */
function issuesAndPulls(state: State): Map<number, StandinIssue> {
  const all = new Map(state.issues);
  for (const pull of state.pulls) {
    all.set(pull.number, { ...pull, blockedBy: [] });
  }
  return all;
}

function route(state: State, response: ServerResponse, request: RecordedRequest): void {
  const self = state.self!;
  const url = new URL(request.url, "http://standin.test");
  const prefix = url.pathname.startsWith("/api/v3/") ? "/api/v3" : "";
  const path = url.pathname.slice(prefix.length);
  const base = `${self.url}${prefix}`;
  const query = url.searchParams;

  const auth = request.headers.authorization ?? "";
  const token = auth.replace(/^(token|bearer)\s+/i, "");
  if (token !== state.token) {
    send(response, 401, { message: "Bad credentials", documentation_url: DOCS, status: "401" });
    return;
  }
  if (self.rateLimitResetAt !== undefined) {
    send(
      response,
      403,
      {
        message: "API rate limit exceeded for user ID 1.",
        documentation_url:
          "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
        status: "403",
      },
      {
        "x-ratelimit-remaining": "0",
        "x-ratelimit-used": String(RATE_LIMIT),
        "x-ratelimit-reset": String(self.rateLimitResetAt),
      },
    );
    return;
  }
  if (self.secondaryRetryAfter !== undefined && request.method !== "GET") {
    send(
      response,
      403,
      {
        message:
          "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        documentation_url:
          "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        status: "403",
      },
      { "retry-after": String(self.secondaryRetryAfter) },
    );
    return;
  }

  const repoPath = `/repos/${state.owner}/${state.repo}`;
  const repoMatch = /^\/repos\/[^/]+\/[^/]+/.exec(path);
  if (!repoMatch || repoMatch[0].toLowerCase() !== repoPath.toLowerCase()) {
    notFound(response);
    return;
  }
  const rest = path.slice(repoMatch[0].length);
  const context: RouteContext = { state, self, response, request, base, path, query };
  for (const [method, pattern, handle] of ROUTES) {
    const match = pattern.exec(rest);
    if (match && method === request.method) {
      handle(context, Number(match[1]));
      return;
    }
  }
  notFound(response);
}

interface RouteContext {
  state: State;
  self: GithubStandin;
  response: ServerResponse;
  request: RecordedRequest;
  /** The API base the request used (with `/api/v3` for the Enterprise form). */
  base: string;
  path: string;
  query: URLSearchParams;
}

type Route = [method: string, pattern: RegExp, handle: (c: RouteContext, n: number) => void];

const ROUTES: Route[] = [
  ["GET", /^$/, (c) => send(c.response, 200, repoObject(c.state, c.base))],
  ["GET", /^\/issues$/, listIssues],
  ["GET", /^\/issues\/(\d+)$/, getIssue],
  ["GET", /^\/issues\/(\d+)\/dependencies\/blocked_by$/, listBlockedBy],
  ["GET", /^\/issues\/(\d+)\/comments$/, listComments],
  ["POST", /^\/issues\/(\d+)\/comments$/, createComment],
  ["PATCH", /^\/issues\/comments\/(\d+)$/, updateComment],
  ["GET", /^\/labels$/, listLabels],
  ["GET", /^\/pulls$/, listPulls],
  ["POST", /^\/pulls$/, createPull],
  ["GET", /^\/pulls\/(\d+)$/, getPull],
  ["PATCH", /^\/pulls\/(\d+)$/, updatePull],
];

function listIssues({ state, response, base, path, query }: RouteContext): void {
  const wantedState = query.get("state") ?? "open";
  const labels = (query.get("labels") ?? "").split(",").filter((label) => label !== "");
  const items = [...issuesAndPulls(state).values()]
    .filter((issue) => wantedState === "all" || issue.state === wantedState)
    .filter((issue) => labels.every((label) => issue.labels.includes(label)))
    .sort((a, b) => b.number - a.number)
    .map((issue) => issueObject(state, base, issue));
  sendPage(response, base, path, query, items);
}

function getIssue({ state, response, base }: RouteContext, number: number): void {
  const issue = issuesAndPulls(state).get(number);
  if (issue) send(response, 200, issueObject(state, base, issue));
  else notFound(response);
}

function listBlockedBy(c: RouteContext, number: number): void {
  const issue = c.state.issues.get(number);
  if (!issue || !c.self.dependenciesApi) {
    notFound(c.response);
    return;
  }
  const blockers = issue.blockedBy
    .map((blocker) => c.state.issues.get(blocker))
    .filter((blocker): blocker is StandinIssue => blocker !== undefined)
    .map((blocker) => issueObject(c.state, c.base, blocker));
  sendPage(c.response, c.base, c.path, c.query, blockers);
}

function listComments(c: RouteContext, number: number): void {
  if (!c.state.issues.has(number)) {
    notFound(c.response);
    return;
  }
  const items = c.state.comments
    .filter((comment) => comment.issue === number)
    .map((comment) => commentObject(c.state, c.base, comment));
  sendPage(c.response, c.base, c.path, c.query, items);
}

function createComment({ state, response, request, base }: RouteContext, number: number): void {
  const body = stringField(request.body, "body");
  if (!state.issues.has(number)) notFound(response);
  else if (body === undefined) validationFailed(response, "body is missing", "body");
  else {
    const comment = { id: state.nextCommentId++, issue: number, body };
    state.comments.push(comment);
    send(response, 201, commentObject(state, base, comment));
  }
}

function updateComment({ state, response, request, base }: RouteContext, id: number): void {
  const comment = state.comments.find((candidate) => candidate.id === id);
  const body = stringField(request.body, "body");
  if (!comment) notFound(response);
  else if (body === undefined) validationFailed(response, "body is missing", "body");
  else {
    comment.body = body;
    send(response, 200, commentObject(state, base, comment));
  }
}

function listLabels({ state, response, base, path, query }: RouteContext): void {
  const names = [...new Set([...state.issues.values()].flatMap((issue) => issue.labels))].sort();
  sendPage(response, base, path, query, names.map(labelObject));
}

function listPulls({ state, response, base, path, query }: RouteContext): void {
  const wantedState = query.get("state") ?? "open";
  const head = query.get("head");
  const baseBranch = query.get("base");
  const items = state.pulls
    .filter((pull) => wantedState === "all" || pull.state === wantedState)
    .filter((pull) => head === null || `${state.owner}:${pull.head}` === head)
    .filter((pull) => baseBranch === null || pull.base === baseBranch)
    .sort((a, b) => b.number - a.number)
    .map((pull) => pullObject(state, base, pull));
  sendPage(response, base, path, query, items);
}

function getPull({ state, response, base }: RouteContext, number: number): void {
  const pull = state.pulls.find((candidate) => candidate.number === number);
  if (pull) send(response, 200, pullObject(state, base, pull));
  else notFound(response);
}

function updatePull({ state, response, request, base }: RouteContext, number: number): void {
  const pull = state.pulls.find((candidate) => candidate.number === number);
  if (!pull) {
    notFound(response);
    return;
  }
  const body = isRecord(request.body) ? request.body : {};
  if (typeof body.title === "string") pull.title = body.title;
  if (typeof body.body === "string") pull.body = body.body;
  if (typeof body.base === "string") pull.base = body.base;
  if (body.state === "open" || body.state === "closed") pull.state = body.state;
  send(response, 200, pullObject(state, base, pull));
}

/** The commit a branch of the bare `origin` points at, or undefined when it has no such branch. */
function branchCommit(origin: string, branch: string): string | undefined {
  try {
    return execFileSync(
      "git",
      ["--git-dir", origin, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      },
    ).trim();
  } catch {
    return undefined;
  }
}

/** Does `head` hold a commit that `base` lacks (else GitHub says "No commits between")? */
function hasCommitsBeyond(origin: string, head: string, base: string): boolean {
  try {
    execFileSync("git", ["--git-dir", origin, "merge-base", "--is-ancestor", head, base], {
      stdio: "ignore",
    });
    return false;
  } catch {
    return true;
  }
}

type Invalid = { invalid: string; field?: string; code?: string };

/**
 * Checks a new pull request's branches against the bare `origin`, as GitHub checks them against
 * the repository: both must be pushed, and the head must hold commits the base lacks.
 */
function branchesProblem(origin: string, head: string, base: string): Invalid | undefined {
  const headCommit = branchCommit(origin, head);
  if (headCommit === undefined) return { invalid: "", field: "head", code: "invalid" };
  const baseCommit = branchCommit(origin, base);
  if (baseCommit === undefined) return { invalid: "", field: "base", code: "invalid" };
  if (!hasCommitsBeyond(origin, headCommit, baseCommit)) {
    return { invalid: `No commits between ${base} and ${head}` };
  }
  return undefined;
}

/** The pull request a create asks for, or the 422 GitHub would answer instead. */
function newPull(state: State, raw: unknown): StandinPull | Invalid {
  const title = stringField(raw, "title");
  const head = stringField(raw, "head");
  const baseBranch = stringField(raw, "base");
  if (title === undefined) return { invalid: "", field: "title" };
  if (head === undefined) return { invalid: "", field: "head" };
  if (baseBranch === undefined) return { invalid: "", field: "base" };
  const headRef = head.includes(":") ? head.slice(head.indexOf(":") + 1) : head;
  if (headRef === baseBranch) return { invalid: `No commits between ${baseBranch} and ${headRef}` };
  const problem = state.origin && branchesProblem(state.origin, headRef, baseBranch);
  if (problem) return problem;
  if (state.pulls.some((pull) => pull.state === "open" && pull.head === headRef)) {
    return { invalid: `A pull request already exists for ${state.owner}:${headRef}.` };
  }
  return {
    number: state.nextNumber++,
    title,
    body: stringField(raw, "body") ?? null,
    head: headRef,
    base: baseBranch,
    draft: isRecord(raw) && raw.draft === true,
    state: "open",
    labels: [],
  };
}

function createPull({ state, response, request, base }: RouteContext): void {
  const pull = newPull(state, request.body);
  if ("invalid" in pull) {
    validationFailed(response, pull.invalid, pull.field, pull.code);
    return;
  }
  state.pulls.push(pull);
  send(response, 201, pullObject(state, base, pull));
}

/** Starts the stand-in on 127.0.0.1 and a random port; `close()` ends it. */
export async function startGithubStandin(
  options: GithubStandinOptions = {},
): Promise<GithubStandin> {
  const state: State = {
    origin: options.origin,
    owner: options.owner ?? "acme",
    repo: options.repo ?? "widgets",
    token: options.token ?? "test-token",
    issues: new Map(),
    pulls: [],
    comments: [],
    nextNumber: 1,
    nextCommentId: 9001,
    self: undefined,
  };
  const notModelApi = () => {
    throw new Error("the GitHub stand-in has no model turns");
  };
  const wire: WireFormat = {
    isModelRequest: () => false,
    turnFor: notModelApi,
    writeTurn: notModelApi,
    writeError: (response, status) => send(response, status, { message: "stand-in error" }),
    writeOther: (response, request) => route(state, response, request),
  };
  const server: Standin = await startStandin(wire);
  const self: GithubStandin = {
    url: server.url,
    owner: state.owner,
    repo: state.repo,
    token: state.token,
    requests: server.requests,
    issues: state.issues,
    pulls: state.pulls,
    comments: state.comments,
    dependenciesApi: options.dependenciesApi ?? true,
    rateLimitResetAt: undefined,
    secondaryRetryAfter: undefined,
    addIssue(seed) {
      const issue: StandinIssue = {
        number: seed.number,
        title: seed.title,
        body: seed.body === undefined ? "" : seed.body,
        labels: seed.labels ?? [],
        state: seed.state ?? "open",
        blockedBy: seed.blockedBy ?? [],
      };
      state.issues.set(issue.number, issue);
      state.nextNumber = Math.max(state.nextNumber, issue.number + 1);
      return issue;
    },
    close: () => server.close(),
  };
  state.self = self;
  for (const seed of options.issues ?? []) self.addIssue(seed);
  return self;
}
