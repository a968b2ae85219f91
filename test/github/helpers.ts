// What the GitHub tests share: a stand-in per test, an environment that points lanes at it (and
// never at a real host), and a client that skips GitHub's write pacing, which the stand-in does
// not need and which would add seconds to every test that opens pull requests.
import { afterEach } from "vitest";
import { createGithubClient, type GithubClient } from "../../src/github/client.js";
import {
  type GithubStandin,
  type GithubStandinOptions,
  startGithubStandin,
} from "../standins/github.js";

const started: GithubStandin[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((standin) => standin.close()));
});

/** A stand-in closed after the test. */
export async function standin(options: GithubStandinOptions = {}): Promise<GithubStandin> {
  const server = await startGithubStandin(options);
  started.push(server);
  return server;
}

/** The environment of a user whose GitHub is the stand-in; nothing inherited. */
export function githubEnv(
  server: GithubStandin,
  extra: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    GITHUB_API_URL: server.url,
    GITHUB_TOKEN: server.token,
    GITHUB_REPOSITORY: `${server.owner}/${server.repo}`,
    ...extra,
  };
}

/** A client of the stand-in, writes unpaced. */
export function testClient(server: GithubStandin, tokenSource = "GITHUB_TOKEN"): GithubClient {
  return createGithubClient(
    {
      repository: { owner: server.owner, name: server.repo, source: "GITHUB_REPOSITORY" },
      apiUrl: server.url,
      token: { value: server.token, source: tokenSource },
    },
    { paceWrites: false, retries: 0 },
  );
}

/** The requests the stand-in saw, as `METHOD /path?query` lines. */
export function requestLines(server: GithubStandin): string[] {
  return server.requests.map((request) => `${request.method} ${request.url}`);
}
