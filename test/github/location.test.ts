// Where GitHub is: the repository (env, setting, the remote's URL), the API base and the token
// (env, gh's login), each missing or malformed piece an error that says what to set.
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LanesError } from "../../src/errors.js";
import { connectGithub } from "../../src/github/client.js";
import { resolveApiUrl, resolveRepository } from "../../src/github/repository.js";
import { resolveToken } from "../../src/github/token.js";
import { makeRepo, type TestRepo } from "../helpers/git-repo.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function repoWithRemotes(remotes: Record<string, string>): Promise<TestRepo> {
  const repo = await makeRepo();
  cleanups.push(repo.cleanup);
  for (const [name, url] of Object.entries(remotes)) {
    await repo.git.run(["remote", "add", name, url]);
  }
  return repo;
}

async function rejection(promise: Promise<unknown>): Promise<LanesError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LanesError);
  expect((error as LanesError).exitCode).toBe(2);
  return error as LanesError;
}

/** A folder holding a `gh` that prints `token` (or exits 1 when it is undefined) and keeps its argv. */
async function fakeGh(
  token: string | undefined,
): Promise<{ dir: string; argv: () => Promise<string> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "lanes-gh-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const argsFile = path.join(dir, "argv");
  const body =
    token === undefined
      ? "echo 'You are not logged into any GitHub hosts.' >&2; exit 1"
      : `echo '${token}'`;
  await writeFile(
    path.join(dir, "gh"),
    `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsFile}'\n${body}\n`,
  );
  await chmod(path.join(dir, "gh"), 0o755);
  return { dir, argv: () => readFile(argsFile, "utf8") };
}

describe("the repository", () => {
  it("is GITHUB_REPOSITORY first, then the setting, then the origin remote", async () => {
    const repo = await repoWithRemotes({ origin: "git@github.com:from/remote.git" });
    const cwd = repo.root;
    const both = { env: { GITHUB_REPOSITORY: "from/env" }, setting: "from/setting", cwd };
    expect(await resolveRepository(both)).toEqual({
      owner: "from",
      name: "env",
      source: "GITHUB_REPOSITORY",
    });
    expect(await resolveRepository({ env: {}, setting: "from/setting", cwd })).toMatchObject({
      name: "setting",
    });
    expect(await resolveRepository({ env: { GITHUB_REPOSITORY: "" }, cwd })).toEqual({
      owner: "from",
      name: "remote",
      source: 'remote "origin"',
    });
  });

  it("reads https and ssh remotes, and a named remote", async () => {
    const repo = await repoWithRemotes({
      origin: "https://github.com/acme/widgets.git",
      upstream: "ssh://git@ghe.example.com:2222/corp/tools.git",
    });
    expect(await resolveRepository({ env: {}, cwd: repo.root })).toMatchObject({
      owner: "acme",
      name: "widgets",
    });
    expect(await resolveRepository({ env: {}, cwd: repo.root, remote: "upstream" })).toMatchObject({
      owner: "corp",
      name: "tools",
      source: 'remote "upstream"',
    });
  });

  it("without any of them, says what to set", async () => {
    const repo = await repoWithRemotes({});
    const error = await rejection(resolveRepository({ env: {}, cwd: repo.root }));
    expect(error.code).toBe("E_GITHUB_CONFIG");
    expect(error.message).toContain('no remote "origin"');
    expect(error.hint).toContain("GITHUB_REPOSITORY=owner/name");
    expect(error.hint).toContain("github");
  });

  it("names a remote that is not GitHub's", async () => {
    const repo = await repoWithRemotes({ origin: "/srv/git/widgets.git" });
    const error = await rejection(resolveRepository({ env: {}, cwd: repo.root }));
    expect(error.message).toContain("/srv/git/widgets.git");
  });

  it("refuses a malformed GITHUB_REPOSITORY or setting, showing the value", async () => {
    const cwd = os.tmpdir();
    const fromEnv = await rejection(
      resolveRepository({ env: { GITHUB_REPOSITORY: "widgets" }, cwd }),
    );
    expect(fromEnv.message).toBe(
      'GITHUB_REPOSITORY is "widgets", not a repository in the form owner/name',
    );
    const fromSetting = await rejection(resolveRepository({ env: {}, setting: "a/b/c", cwd }));
    expect(fromSetting.message).toContain('settings "github.repository" is "a/b/c"');
  });
});

describe("the API base", () => {
  it("is GITHUB_API_URL, else the setting, else api.github.com", () => {
    const setting = "https://ghe.example.com/api/v3/";
    expect(resolveApiUrl({ GITHUB_API_URL: "http://127.0.0.1:9/" }, setting)).toBe(
      "http://127.0.0.1:9",
    );
    expect(resolveApiUrl({}, setting)).toBe("https://ghe.example.com/api/v3");
    expect(resolveApiUrl({})).toBe("https://api.github.com");
  });

  it("refuses what is not an http(s) URL, naming where it came from", () => {
    expect(() => resolveApiUrl({ GITHUB_API_URL: "ghe.example.com" })).toThrow(
      'GITHUB_API_URL is "ghe.example.com", not an http(s) URL of a GitHub API',
    );
    expect(() => resolveApiUrl({}, "ftp://x")).toThrow('settings "github.apiUrl"');
  });
});

describe("the token", () => {
  const API = "https://api.github.com";

  it("is GITHUB_TOKEN, else GH_TOKEN", async () => {
    const gh = await fakeGh("gho_from_gh");
    const env = { PATH: gh.dir, GITHUB_TOKEN: "ghp_env", GH_TOKEN: "ghp_gh_env" };
    expect(await resolveToken(env, API)).toEqual({ value: "ghp_env", source: "GITHUB_TOKEN" });
    expect(await resolveToken({ ...env, GITHUB_TOKEN: "" }, API)).toEqual({
      value: "ghp_gh_env",
      source: "GH_TOKEN",
    });
  });

  it("else asks gh for the API's host", async () => {
    const gh = await fakeGh("gho_from_gh");
    expect(await resolveToken({ PATH: gh.dir }, API)).toEqual({
      value: "gho_from_gh",
      source: "gh auth token",
    });
    expect(await gh.argv()).toBe("auth\ntoken\n--hostname\ngithub.com\n");
    await resolveToken({ PATH: gh.dir }, "https://ghe.example.com/api/v3");
    expect(await gh.argv()).toBe("auth\ntoken\n--hostname\nghe.example.com\n");
  });

  it("is missing when gh is not installed or not logged in: the error says what to set", async () => {
    const noGh = await mkdtemp(path.join(os.tmpdir(), "lanes-nogh-"));
    cleanups.push(() => rm(noGh, { recursive: true, force: true }));
    const loggedOut = await fakeGh(undefined);
    for (const dir of [noGh, loggedOut.dir]) {
      const error = await rejection(resolveToken({ PATH: dir }, API));
      expect(error.code).toBe("E_GITHUB_CONFIG");
      expect(error.message).toBe("no GitHub token: GITHUB_TOKEN and GH_TOKEN are unset");
      expect(error.hint).toContain("GITHUB_TOKEN");
      expect(error.hint).toContain("gh auth login --hostname github.com");
    }
  });
});

describe("connectGithub", () => {
  it("puts the three together from the environment, asking GitHub nothing yet", async () => {
    const repo = await repoWithRemotes({ origin: "git@github.com:acme/widgets.git" });
    const client = await connectGithub({
      cwd: repo.root,
      env: { GITHUB_API_URL: "http://127.0.0.1:9", GH_TOKEN: "t" },
    });
    expect(client.fullName).toBe("acme/widgets");
    expect(client.connection.apiUrl).toBe("http://127.0.0.1:9");
    expect(client.connection.token.source).toBe("GH_TOKEN");
  });
});
