// The token lanes talks to GitHub with, from where users already keep one: GITHUB_TOKEN (Actions),
// GH_TOKEN (the gh CLI's variable), else gh's own login (`gh auth token`), so that a user who has
// run `gh auth login` sets nothing. Where it came from is kept, to name it when GitHub rejects it.
import { LanesError } from "../errors.js";

export interface GithubToken {
  value: string;
  /** `GITHUB_TOKEN`, `GH_TOKEN` or `gh auth token`. */
  source: string;
}

/** The host gh knows an API base by: github.com for api.github.com, else the URL's host. */
export function ghHostname(apiUrl: string): string {
  const host = new URL(apiUrl).host;
  return host === "api.github.com" ? "github.com" : host;
}

async function tokenFromGh(env: NodeJS.ProcessEnv, apiUrl: string): Promise<string | undefined> {
  const { execa } = await import("execa");
  const result = await execa("gh", ["auth", "token", "--hostname", ghHostname(apiUrl)], {
    env,
    extendEnv: false,
    reject: false,
    input: "",
    timeout: 15_000,
  });
  // Not installed (no exit code), or installed but not logged in (exit 1): no token from gh.
  if (result.exitCode !== 0) return undefined;
  const token = String(result.stdout).trim();
  return token === "" ? undefined : token;
}

export async function resolveToken(env: NodeJS.ProcessEnv, apiUrl: string): Promise<GithubToken> {
  for (const name of ["GITHUB_TOKEN", "GH_TOKEN"]) {
    const value = env[name]?.trim();
    if (value) return { value, source: name };
  }
  const fromGh = await tokenFromGh(env, apiUrl);
  if (fromGh) return { value: fromGh, source: "gh auth token" };
  throw new LanesError("E_GITHUB_CONFIG", "no GitHub token: GITHUB_TOKEN and GH_TOKEN are unset", {
    hint: `set GITHUB_TOKEN (a token with repo access), or log in with \`gh auth login --hostname ${ghHostname(apiUrl)}\``,
  });
}
