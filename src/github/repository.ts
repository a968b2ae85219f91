// Which GitHub repository a run talks to: the one CI names (GITHUB_REPOSITORY), else the one the
// settings name, else the one the clone came from (its remote's URL), so that most users set
// nothing. The URL parser is pure, for table tests over every form git accepts.
import { LanesError, show } from "../errors.js";
import { Git } from "../git/runner.js";

export interface GithubRepository {
  owner: string;
  name: string;
  /** Where the name came from, for error messages: `GITHUB_REPOSITORY`, a setting, a remote. */
  source: string;
}

// GitHub's own limits: owners are letters, digits and single dashes; names add '.' and '_'.
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

function valid(owner: string, name: string): boolean {
  return OWNER.test(owner) && NAME.test(name) && name !== "." && name !== "..";
}

/** `owner/name` as written in GITHUB_REPOSITORY or settings, or undefined when malformed. */
export function parseRepositorySlug(value: string): { owner: string; name: string } | undefined {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(value.trim());
  if (!match) return undefined;
  const [, owner = "", name = ""] = match;
  return valid(owner, name) ? { owner, name } : undefined;
}

/**
 * The `owner/name` of a remote URL in any form git accepts for GitHub (and GitHub Enterprise):
 * `https://host/owner/name(.git)`, `git@host:owner/name(.git)`, `ssh://git@host(:port)/owner/name`,
 * `git://host/owner/name`. Undefined for anything else (a local path, say).
 */
export function parseRemoteUrl(url: string): { owner: string; name: string } | undefined {
  const text = url.trim();
  let pathPart: string | undefined;
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(text);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      const parsed = new URL(text);
      if (!["https:", "http:", "ssh:", "git:", "git+ssh:", "ssh+git:"].includes(parsed.protocol)) {
        return undefined;
      }
      pathPart = decodeURIComponent(parsed.pathname);
    } catch {
      return undefined;
    }
  } else if (scp && !/^[A-Za-z]$/.test(scp[1] ?? "")) {
    // scp-like syntax; a one-letter "host" is a Windows drive (C:\repo), not a remote.
    pathPart = scp[2];
  }
  if (pathPart === undefined) return undefined;
  const segments = pathPart
    .replace(/\/+$/, "")
    .replace(/\.git$/, "")
    .split("/")
    .filter((segment) => segment !== "");
  if (segments.length < 2) return undefined;
  // GitHub Enterprise may serve below a path prefix; the repository is the last two segments.
  const owner = segments[segments.length - 2]!;
  const name = segments[segments.length - 1]!;
  return valid(owner, name) ? { owner, name } : undefined;
}

export interface ResolveRepositoryOptions {
  env: NodeJS.ProcessEnv;
  /** The `github.repository` setting, when the settings have one. */
  setting?: string | undefined;
  /** The repository whose remote is read when nothing else names one. */
  cwd: string;
  /** The remote to read; `origin` unless the settings say otherwise. */
  remote?: string;
}

export async function resolveRepository(
  options: ResolveRepositoryOptions,
): Promise<GithubRepository> {
  const fromEnv = options.env.GITHUB_REPOSITORY;
  if (fromEnv !== undefined && fromEnv !== "") {
    const parsed = parseRepositorySlug(fromEnv);
    if (!parsed) {
      throw new LanesError(
        "E_GITHUB_CONFIG",
        `GITHUB_REPOSITORY is ${show(fromEnv)}, not a repository in the form owner/name`,
        { hint: "set GITHUB_REPOSITORY=owner/name (e.g. acme/widgets), or unset it" },
      );
    }
    return { ...parsed, source: "GITHUB_REPOSITORY" };
  }
  if (options.setting !== undefined) {
    const parsed = parseRepositorySlug(options.setting);
    if (!parsed) {
      throw new LanesError(
        "E_GITHUB_CONFIG",
        `settings "github.repository" is ${show(options.setting)}, not a repository in the form owner/name`,
        { hint: 'write "github": { "repository": "owner/name" } in .lanes/settings.json' },
      );
    }
    return { ...parsed, source: 'settings "github.repository"' };
  }
  const remote = options.remote ?? "origin";
  const result = await new Git(options.cwd).run(["remote", "get-url", remote], {
    allowFail: true,
  });
  const url = result.exitCode === 0 ? result.stdout.trim() : undefined;
  const parsed = url === undefined ? undefined : parseRemoteUrl(url);
  if (!parsed) {
    const found =
      url === undefined
        ? `the repository has no remote "${remote}"`
        : `remote "${remote}" (${url}) is not a GitHub URL lanes can read owner/name from`;
    throw new LanesError("E_GITHUB_CONFIG", `no GitHub repository: ${found}`, {
      hint: 'set GITHUB_REPOSITORY=owner/name, or "github": { "repository": "owner/name" } in .lanes/settings.json',
    });
  }
  return { ...parsed, source: `remote "${remote}"` };
}

export const DEFAULT_API_URL = "https://api.github.com";

/** GITHUB_API_URL (set by Actions, and for GitHub Enterprise), else the setting, else github.com. */
export function resolveApiUrl(env: NodeJS.ProcessEnv, setting?: string): string {
  const [value, source] =
    env.GITHUB_API_URL !== undefined && env.GITHUB_API_URL !== ""
      ? [env.GITHUB_API_URL, "GITHUB_API_URL"]
      : setting !== undefined
        ? [setting, 'settings "github.apiUrl"']
        : [DEFAULT_API_URL, "the default"];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    url = new URL("invalid:");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new LanesError(
      "E_GITHUB_CONFIG",
      `${source} is ${show(value)}, not an http(s) URL of a GitHub API`,
      { hint: "use https://api.github.com, or https://<host>/api/v3 for GitHub Enterprise" },
    );
  }
  return value.replace(/\/+$/, "");
}
