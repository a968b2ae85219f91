// Octokit's errors say "HttpError: Not Found"; a user needs to know which token GitHub rejected,
// which repository or issue it could not find, and when a rate limit lifts. This turns every
// failed API call into a LanesError saying that, with a hint of what to set or when to retry.
import { LanesError } from "../errors.js";

/** What a failed call was about, to name it in the message. */
export interface GithubCallContext {
  /** `acme/widgets` */
  repository: string;
  apiUrl: string;
  /** Where the token came from: `GITHUB_TOKEN`, `GH_TOKEN` or `gh auth token`. */
  tokenSource: string;
  /** What was asked, for a 404 and for other failures: `issue #12`, `the pull request for lanes/3-x`. */
  what: string;
  /** 2 when found before anything starts (loading tasks); 1 when a task is being published. */
  exitCode: number;
}

interface HttpFailure {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function asHttpFailure(error: unknown): HttpFailure | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const candidate = error as Partial<HttpFailure>;
  return typeof candidate.status === "number" ? (candidate as HttpFailure) : undefined;
}

function header(failure: HttpFailure, name: string): string | undefined {
  const value = failure.response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/** One entry of a 422's `errors`: its message, or `head invalid` from its field and code. */
function detail(item: unknown): string | undefined {
  if (typeof item !== "object" || item === null) return undefined;
  const { message, field, code } = item as { message?: unknown; field?: unknown; code?: unknown };
  if (typeof message === "string") return message;
  if (typeof field === "string") return `${field} ${typeof code === "string" ? code : "invalid"}`;
  return undefined;
}

/** GitHub's own explanation (`Bad credentials`, `Validation Failed: head invalid`). */
function apiMessage(failure: HttpFailure): string {
  const data = failure.response?.data;
  if (typeof data === "object" && data !== null) {
    const { message, errors } = data as { message?: unknown; errors?: unknown };
    const details = Array.isArray(errors)
      ? errors.map(detail).filter((text): text is string => text !== undefined)
      : [];
    if (typeof message === "string") {
      return details.length > 0 ? `${message}: ${details.join("; ")}` : message;
    }
  }
  return failure.message;
}

/** `2026-11-29T12:00:00.000Z (in 42 min)`, for a reset given in epoch seconds. */
export function describeReset(resetEpochSeconds: number, now = Date.now()): string {
  const at = new Date(resetEpochSeconds * 1000);
  const minutes = Math.max(Math.ceil((at.getTime() - now) / 60_000), 0);
  return `${at.toISOString()} (in ${minutes} min)`;
}

export function githubError(error: unknown, context: GithubCallContext): LanesError {
  if (error instanceof LanesError) return error;
  const failure = asHttpFailure(error);
  const options = { exitCode: context.exitCode, cause: error };
  if (!failure?.response) {
    const reason = error instanceof Error ? error.message : String(error);
    return new LanesError(
      "E_GITHUB_API",
      `could not reach GitHub at ${context.apiUrl} for ${context.what}: ${reason}`,
      {
        ...options,
        hint: "check the network, and GITHUB_API_URL (or settings github.apiUrl) for GitHub Enterprise",
      },
    );
  }
  const status = failure.status;
  const message = apiMessage(failure);
  if (status === 401) {
    return new LanesError(
      "E_GITHUB_AUTH",
      `GitHub at ${context.apiUrl} rejected the token from ${context.tokenSource} (401 ${message})`,
      {
        ...options,
        hint: `set ${context.tokenSource === "gh auth token" ? "GITHUB_TOKEN, or log in again with `gh auth login`" : context.tokenSource} to a valid token with access to ${context.repository}`,
      },
    );
  }
  const reset = header(failure, "x-ratelimit-reset");
  if ((status === 403 || status === 429) && header(failure, "x-ratelimit-remaining") === "0") {
    const when = reset === undefined ? "when the limit resets" : describeReset(Number(reset));
    return new LanesError(
      "E_GITHUB_RATE_LIMIT",
      `GitHub's API rate limit is used up for the token from ${context.tokenSource} (while asking for ${context.what}); it resets at ${when}`,
      { ...options, hint: `retry after ${when}` },
    );
  }
  const retryAfter = header(failure, "retry-after");
  if (
    (status === 403 || status === 429) &&
    (retryAfter !== undefined || /rate limit/i.test(message))
  ) {
    const when = retryAfter === undefined ? "a minute" : `${retryAfter} s`;
    return new LanesError(
      "E_GITHUB_RATE_LIMIT",
      `GitHub's secondary rate limit stopped ${context.what}: ${message}`,
      { ...options, hint: `retry after ${when}, with fewer tasks at once` },
    );
  }
  if (status === 404) {
    return new LanesError(
      "E_GITHUB_NOT_FOUND",
      `${context.what} not found in ${context.repository} at ${context.apiUrl}`,
      {
        ...options,
        hint: `check the number and the repository (GITHUB_REPOSITORY, settings github.repository or the remote), and that the token from ${context.tokenSource} can see it`,
      },
    );
  }
  return new LanesError(
    "E_GITHUB_API",
    `GitHub refused ${context.what} in ${context.repository} (${status} ${message})`,
    {
      ...options,
      hint:
        status === 403
          ? `give the token from ${context.tokenSource} write access to issues and pull requests of ${context.repository}`
          : "fix what GitHub's message names and run again",
    },
  );
}
