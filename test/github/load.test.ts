// GitHub issues as tasks, against the stand-in: the fields of a task, the three dependency forms,
// pulled-in and closed dependencies, label selection across pages, cycles, and every error a
// user can meet up front (token, repository, issue, rate limit), each naming what to fix.
import os from "node:os";
import { describe, expect, it } from "vitest";
import { LanesError } from "../../src/errors.js";
import { loadGithubTasks } from "../../src/github/load.js";
import { githubEnv, requestLines, standin, testClient } from "./helpers.js";

const cwd = os.tmpdir();

async function rejection(promise: Promise<unknown>): Promise<LanesError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LanesError);
  expect((error as LanesError).exitCode).toBe(2);
  return error as LanesError;
}

describe("issues as tasks", () => {
  it("makes a task of each named issue: id, title, body as the prompt, labels, lane branch", async () => {
    const server = await standin({
      issues: [
        { number: 12, title: "Fix login redirect", body: "Send users back.\n", labels: ["auth"] },
        { number: 13, title: "Add a CHANGELOG", body: null },
      ],
    });
    const load = await loadGithubTasks({ numbers: [13, 12], cwd, env: githubEnv(server) });
    expect(load.tasks).toEqual([
      {
        id: "12",
        title: "Fix login redirect",
        body: "Send users back.\n",
        dependsOn: [],
        labels: ["auth"],
        status: "ready",
        files: [],
        file: "https://github.test/acme/widgets/issues/12",
        issue: { number: 12, url: "https://github.test/acme/widgets/issues/12" },
        branch: "lanes/12-fix-login-redirect",
      },
      expect.objectContaining({ id: "13", body: "", branch: "lanes/13-add-a-changelog" }),
    ]);
    expect(load.notes).toEqual([]);
    const lines = requestLines(server);
    expect(lines[0]).toBe("GET /repos/acme/widgets");
    expect(lines).toContain("GET /repos/acme/widgets/issues/12");
    expect(server.requests.every((r) => r.headers.authorization === "token test-token")).toBe(true);
  });

  it("takes dependencies from blocked-by relations, body lines and labels, pulling in open ones", async () => {
    const server = await standin({
      issues: [
        {
          number: 1,
          title: "Top",
          body: "Do it.\n\nDepends on: #3",
          labels: ["depends-on/4"],
          blockedBy: [2],
        },
        { number: 2, title: "By relation" },
        { number: 3, title: "By body", body: "Blocked by #5" },
        { number: 4, title: "By label" },
        { number: 5, title: "Two levels down" },
      ],
    });
    const load = await loadGithubTasks({ numbers: [1], cwd, env: githubEnv(server) });
    expect(load.tasks.map((task) => [task.id, task.dependsOn])).toEqual([
      ["1", ["2", "3", "4"]],
      ["2", []],
      ["3", ["5"]],
      ["4", []],
      ["5", []],
    ]);
    expect(load.pulledIn).toEqual(["2", "3", "4", "5"]);
    expect(load.notes).toEqual([
      "#2 pulled in: #1 depends on it and it is open",
      "#3 pulled in: #1 depends on it and it is open",
      "#4 pulled in: #1 depends on it and it is open",
      "#5 pulled in: #3 depends on it and it is open",
    ]);
  });

  it("counts a closed dependency as done and leaves out a closed issue asked for", async () => {
    const server = await standin({
      issues: [
        { number: 1, title: "Needs a closed one", body: "Depends on #2", blockedBy: [3] },
        { number: 2, title: "Closed by body", state: "closed" },
        { number: 3, title: "Closed by relation", state: "closed" },
        { number: 4, title: "Closed and asked for", state: "closed" },
      ],
    });
    const load = await loadGithubTasks({ numbers: [1, 4], cwd, env: githubEnv(server) });
    expect(load.tasks.map((task) => [task.id, task.dependsOn])).toEqual([["1", []]]);
    expect(load.alreadyDone).toEqual(["4"]);
    expect(load.pulledIn).toEqual([]);
    expect(load.notes).toEqual([
      "#4 is closed: left out",
      "#1 depends on #3, which is closed: counts as done",
      "#1 depends on #2, which is closed: counts as done",
    ]);
  });

  it("skips blocked-by quietly where the server answers 404, and still reads bodies", async () => {
    const server = await standin({
      dependenciesApi: false,
      issues: [
        { number: 1, title: "One", body: "Depends on #2", blockedBy: [3] },
        { number: 2, title: "Two" },
        { number: 3, title: "Three" },
      ],
    });
    const load = await loadGithubTasks({ numbers: [1], cwd, env: githubEnv(server) });
    expect(load.tasks.map((task) => [task.id, task.dependsOn])).toEqual([
      ["1", ["2"]],
      ["2", []],
    ]);
    const blockedBy = server.requests.filter((r) => r.url.includes("/dependencies/blocked_by"));
    expect(blockedBy.map((r) => r.status)).toEqual([404, 404]);
  });

  it("takes every open issue with a label, and only those", async () => {
    const issues = Array.from({ length: 120 }, (_, index) => ({
      number: index + 1,
      title: `Issue ${index + 1}`,
      labels: index % 3 === 0 ? ["bug"] : ["ready"],
      state: index === 1 ? ("closed" as const) : ("open" as const),
    }));
    const server = await standin({ issues });
    const load = await loadGithubTasks({ label: "ready", cwd, env: githubEnv(server) });
    const expected = issues
      .filter((issue) => issue.labels.includes("ready") && issue.state === "open")
      .map((issue) => String(issue.number));
    expect(load.tasks.map((task) => task.id)).toEqual(expected);
    expect(expected).toHaveLength(79);
    const lists = server.requests.filter((r) => r.url.startsWith("/repos/acme/widgets/issues?"));
    expect(lists.map((r) => r.url)).toEqual([
      "/repos/acme/widgets/issues?state=open&labels=ready&per_page=100",
    ]);
  });

  it("leaves pull requests out of a label's issues (GitHub lists them among issues)", async () => {
    const server = await standin({ issues: [{ number: 1, title: "Issue", labels: ["ready"] }] });
    await testClient(server).octokit.rest.pulls.create({
      owner: "acme",
      repo: "widgets",
      title: "A labelled PR",
      head: "feature",
      base: "main",
    });
    server.pulls[0]!.labels.push("ready");
    const listed = await testClient(server).octokit.rest.issues.listForRepo({
      owner: "acme",
      repo: "widgets",
      labels: "ready",
    });
    expect(listed.data.map((item) => [item.number, item.pull_request !== undefined])).toEqual([
      [2, true],
      [1, false],
    ]);
    const load = await loadGithubTasks({ label: "ready", cwd, env: githubEnv(server) });
    expect(load.tasks.map((task) => task.id)).toEqual(["1"]);
  });

  it("follows Link headers when a list spans pages", async () => {
    const issues = Array.from({ length: 230 }, (_, index) => ({
      number: index + 1,
      title: `Issue ${index + 1}`,
      labels: ["ready"],
    }));
    const server = await standin({ issues });
    const load = await loadGithubTasks({ label: "ready", cwd, env: githubEnv(server) });
    expect(load.tasks).toHaveLength(230);
    const pages = server.requests
      .filter((r) => r.url.startsWith("/repos/acme/widgets/issues?"))
      .map((r) => new URL(r.url, "http://x").searchParams.get("page") ?? "1");
    expect(pages).toEqual(["1", "2", "3"]);
  });

  it("works with a GitHub Enterprise base (/api/v3)", async () => {
    const server = await standin({ issues: [{ number: 1, title: "On Enterprise" }] });
    const env = githubEnv(server, { GITHUB_API_URL: `${server.url}/api/v3` });
    const load = await loadGithubTasks({ numbers: [1], cwd, env });
    expect(load.tasks.map((task) => task.title)).toEqual(["On Enterprise"]);
    expect(requestLines(server)[0]).toBe("GET /api/v3/repos/acme/widgets");
  });

  it("prints a cycle with issue numbers: #12 -> #13 -> #12", async () => {
    const server = await standin({
      issues: [
        { number: 12, title: "A", body: "Depends on #13" },
        { number: 13, title: "B", labels: ["depends-on/12"] },
      ],
    });
    const error = await rejection(loadGithubTasks({ numbers: [12], cwd, env: githubEnv(server) }));
    expect(error.code).toBe("E_TASK_CYCLE");
    expect(error.message).toBe(
      "dependency cycle between issues: #12 -> #13 -> #12 (in acme/widgets)",
    );
    const self = await standin({ issues: [{ number: 7, title: "Me", blockedBy: [7] }] });
    const selfError = await rejection(loadGithubTasks({ numbers: [7], cwd, env: githubEnv(self) }));
    expect(selfError.message).toContain("#7 -> #7");
  });

  it("refuses a pull request named as a task", async () => {
    const server = await standin({ issues: [{ number: 1, title: "Issue" }] });
    const client = testClient(server);
    await client.octokit.rest.pulls.create({
      owner: "acme",
      repo: "widgets",
      title: "A PR",
      head: "feature",
      base: "main",
    });
    const error = await rejection(loadGithubTasks({ numbers: [2], cwd, env: githubEnv(server) }));
    expect(error.code).toBe("E_GITHUB_ISSUE");
    expect(error.message).toContain("#2 in acme/widgets is a pull request, not an issue");
  });
});

describe("GitHub errors found up front", () => {
  it("a rejected token names the variable it came from", async () => {
    const server = await standin({ issues: [{ number: 1, title: "One" }] });
    const env = githubEnv(server, { GITHUB_TOKEN: undefined, GH_TOKEN: "ghp_wrong" });
    const error = await rejection(loadGithubTasks({ numbers: [1], cwd, env }));
    expect(error.code).toBe("E_GITHUB_AUTH");
    expect(error.message).toBe(
      `GitHub at ${server.url} rejected the token from GH_TOKEN (401 Bad credentials)`,
    );
    expect(error.hint).toContain("set GH_TOKEN to a valid token with access to acme/widgets");
    expect(server.requests).toHaveLength(1);
  });

  it("an unknown repository is named, before any issue is asked for", async () => {
    const server = await standin({ issues: [{ number: 1, title: "One" }] });
    const env = githubEnv(server, { GITHUB_REPOSITORY: "acme/nope" });
    const error = await rejection(loadGithubTasks({ numbers: [1], cwd, env }));
    expect(error.code).toBe("E_GITHUB_NOT_FOUND");
    expect(error.message).toBe(`repository acme/nope not found in acme/nope at ${server.url}`);
    expect(requestLines(server)).toEqual(["GET /repos/acme/nope"]);
  });

  it("an unknown issue, or an unknown dependency, is named", async () => {
    const server = await standin({
      issues: [{ number: 1, title: "One", body: "Depends on: #99" }],
    });
    const missing = await rejection(
      loadGithubTasks({ numbers: [42], cwd, env: githubEnv(server) }),
    );
    expect(missing.code).toBe("E_GITHUB_NOT_FOUND");
    expect(missing.message).toBe(`issue #42 not found in acme/widgets at ${server.url}`);
    const dependency = await rejection(
      loadGithubTasks({ numbers: [1], cwd, env: githubEnv(server) }),
    );
    expect(dependency.message).toContain("issue #99 (a dependency of #1) not found");
  });

  it("a rate limit fails at once and says when to retry", async () => {
    const server = await standin({ issues: [{ number: 1, title: "One" }] });
    const reset = Math.floor(Date.now() / 1000) + 30 * 60;
    server.rateLimitResetAt = reset;
    const error = await rejection(loadGithubTasks({ numbers: [1], cwd, env: githubEnv(server) }));
    expect(error.code).toBe("E_GITHUB_RATE_LIMIT");
    const at = new Date(reset * 1000).toISOString();
    expect(error.message).toContain(`it resets at ${at} (in 30 min)`);
    expect(error.hint).toContain(`retry after ${at}`);
    expect(server.requests).toHaveLength(1);
  });

  it("nothing named, or an empty label, is a usage error before GitHub is asked", async () => {
    const server = await standin();
    const none = await rejection(loadGithubTasks({ numbers: [], cwd, env: githubEnv(server) }));
    expect(none.code).toBe("E_USAGE");
    expect(none.hint).toContain("--label ready");
    const empty = await rejection(loadGithubTasks({ label: " ", cwd, env: githubEnv(server) }));
    expect(empty.message).toBe("the GitHub label is empty");
    expect(server.requests).toHaveLength(0);
  });

  it("an API that does not answer is named, with where its URL comes from", async () => {
    const server = await standin({ issues: [{ number: 1, title: "One" }] });
    const client = testClient(server);
    await server.close();
    const error = await rejection(loadGithubTasks({ numbers: [1], cwd, client }));
    expect(error.code).toBe("E_GITHUB_API");
    expect(error.message).toMatch(
      new RegExp(`^could not reach GitHub at ${server.url} for repository acme/widgets: `),
    );
    expect(error.hint).toContain("GITHUB_API_URL");
  });

  it("a missing token says what to set, and asks GitHub nothing", async () => {
    const server = await standin();
    const env = githubEnv(server, { GITHUB_TOKEN: undefined, PATH: "/nonexistent" });
    const error = await rejection(loadGithubTasks({ numbers: [1], cwd, env }));
    expect(error.code).toBe("E_GITHUB_CONFIG");
    expect(server.requests).toHaveLength(0);
  });
});
