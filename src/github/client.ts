// One Octokit for a run, bound to its repository, with GitHub's recommended pacing of writes and
// retries of server errors, and with `call()`, which turns any failure into a LanesError that
// names the token's source, the repository or issue, or when a rate limit lifts. Rate limits never
// make lanes wait: the reset can be an hour away, so the user is told when to retry instead.
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import type { LanesError } from "../errors.js";
import { githubError } from "./errors.js";
import { type GithubRepository, resolveApiUrl, resolveRepository } from "./repository.js";
import { type GithubToken, resolveToken } from "./token.js";

// Typed as the plain Octokit: the plugins work through hooks, and lanes uses none of their additions.
const LanesOctokit: typeof Octokit = Octokit.plugin(retry, throttling);
export type GithubOctokit = Octokit;

export interface GithubConnection {
  repository: GithubRepository;
  apiUrl: string;
  token: GithubToken;
}

export interface GithubClientOptions {
  /**
   * Space writes as GitHub asks (one a second, three seconds between notifying ones). On by
   * default; off for a server that has no such limits (the tests' stand-in).
   */
  paceWrites?: boolean;
  /** Retries of 5xx answers and network failures (default 3, waiting 1, 4, 9 s). */
  retries?: number;
}

export interface GithubClient {
  octokit: GithubOctokit;
  owner: string;
  repo: string;
  /** `owner/name` */
  fullName: string;
  connection: GithubConnection;
  /**
   * Runs one API call; a failure becomes a LanesError about `what` (`issue #12`), exit 2 when
   * found up front (the default) or 1 while publishing a task.
   */
  call<T>(what: string, request: () => Promise<T>, exitCode?: number): Promise<T>;
  /** The LanesError for a failure caught elsewhere. */
  fail(error: unknown, what: string, exitCode?: number): LanesError;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export function createGithubClient(
  connection: GithubConnection,
  options: GithubClientOptions = {},
): GithubClient {
  const octokit = new LanesOctokit({
    auth: connection.token.value,
    baseUrl: connection.apiUrl,
    userAgent: "lanes",
    // Only the CLI prints; a deprecation notice must not land in the middle of a live display.
    log: quiet,
    retry: { retries: options.retries ?? 3 },
    throttle: {
      enabled: options.paceWrites ?? true,
      onRateLimit: () => false,
      onSecondaryRateLimit: () => false,
    },
  });
  const { owner, name } = connection.repository;
  const fullName = `${owner}/${name}`;
  const fail = (error: unknown, what: string, exitCode = 2) =>
    githubError(error, {
      repository: fullName,
      apiUrl: connection.apiUrl,
      tokenSource: connection.token.source,
      what,
      exitCode,
    });
  return {
    octokit,
    owner,
    repo: name,
    fullName,
    connection,
    fail,
    async call(what, request, exitCode = 2) {
      try {
        return await request();
      } catch (error) {
        throw fail(error, what, exitCode);
      }
    },
  };
}

export interface ConnectOptions extends GithubClientOptions {
  /** The repository (its remote names the GitHub repository when nothing else does). */
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** The `github` settings, once the settings have them. */
  settings?: { repository?: string; apiUrl?: string; remote?: string };
}

/**
 * Finds the repository, API base and token (each missing piece a LanesError naming what to set)
 * and makes a client. Nothing is asked of GitHub yet.
 */
export async function connectGithub(options: ConnectOptions): Promise<GithubClient> {
  const env = options.env ?? process.env;
  const apiUrl = resolveApiUrl(env, options.settings?.apiUrl);
  const repository = await resolveRepository({
    env,
    setting: options.settings?.repository,
    cwd: options.cwd,
    remote: options.settings?.remote ?? "origin",
  });
  const token = await resolveToken(env, apiUrl);
  return createGithubClient({ repository, apiUrl, token }, options);
}
