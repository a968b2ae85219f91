// The GitHub destination, against the stand-in and a bare repository as `origin`: branches pushed
// with real git, one pull request per task (stacked or not) or per run, updated rather than
// duplicated, one comment per issue edited in place, and failures that name what went wrong.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LanesError } from "../../src/errors.js";
import { Git } from "../../src/git/runner.js";
import { createGithubClient } from "../../src/github/client.js";
import { taskCommentBody, upsertIssueComment } from "../../src/github/comments.js";
import { publishRunPr, publishTaskPr } from "../../src/github/pull-requests.js";
import { checkRemote, pushBranch } from "../../src/github/push.js";
import { commitOnBranch, makeRepo, type TestRepo } from "../helpers/git-repo.js";
import type { GithubStandin } from "../standins/github.js";
import { requestLines, standin, testClient } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A repository whose `origin` is a bare repository beside it. */
async function repoWithOrigin(): Promise<{ repo: TestRepo; origin: Git }> {
  const repo = await makeRepo();
  cleanups.push(repo.cleanup);
  const bare = path.join(repo.dir, "origin.git");
  await mkdir(bare);
  const origin = new Git(bare);
  await origin.run(["init", "--quiet", "--bare", "--initial-branch=main"]);
  await repo.git.run(["remote", "add", "origin", bare]);
  await repo.git.run(["push", "--quiet", "origin", "main"]);
  return { repo, origin };
}

async function head(git: Git, ref: string): Promise<string | undefined> {
  const result = await git.run(["rev-parse", "--verify", "--quiet", ref], { allowFail: true });
  return result.exitCode === 0 ? result.stdout : undefined;
}

async function failure(promise: Promise<unknown>): Promise<LanesError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LanesError);
  return error as LanesError;
}

function task(number: number, title: string) {
  const slug = title.toLowerCase().replaceAll(" ", "-");
  return { id: String(number), title, branch: `lanes/${number}-${slug}`, issue: { number } };
}

describe("pushBranch", () => {
  it("pushes a lane branch to origin, and again after the branch was rebuilt", async () => {
    const { repo, origin } = await repoWithOrigin();
    const first = await commitOnBranch(repo, "lanes/1-a", { "a.txt": "a\n" });
    await pushBranch({ cwd: repo.root, branch: "lanes/1-a" });
    expect(await head(origin, "refs/heads/lanes/1-a")).toBe(first);
    // A repeated run rebuilds the branch from main: not a fast-forward of what was pushed.
    await repo.git.run(["branch", "-f", "lanes/1-a", "main"]);
    const second = await commitOnBranch(repo, "lanes/1-a", { "a.txt": "again\n" });
    await pushBranch({ cwd: repo.root, branch: "lanes/1-a" });
    expect(await head(origin, "refs/heads/lanes/1-a")).toBe(second);
  });

  it("checkRemote finds a missing remote up front (exit 2), naming it", async () => {
    const { repo } = await repoWithOrigin();
    expect(await checkRemote(repo.root, "origin")).toBe(path.join(repo.dir, "origin.git"));
    const error = await failure(checkRemote(repo.root, "upstream"));
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('the repository has no remote "upstream" to push to');
    expect(error.hint).toContain("git remote add upstream <url>");
  });

  it("pushes to a named remote", async () => {
    const { repo, origin } = await repoWithOrigin();
    const url = (await repo.git.run(["remote", "get-url", "origin"])).stdout;
    await repo.git.run(["remote", "add", "fork", url]);
    const commit = await commitOnBranch(repo, "lanes/2-b", { "b.txt": "b\n" });
    await pushBranch({ cwd: repo.root, branch: "lanes/2-b", remote: "fork" });
    expect(await head(origin, "refs/heads/lanes/2-b")).toBe(commit);
  });

  it("fails with the remote named: a missing remote, an unreachable one", async () => {
    const { repo } = await repoWithOrigin();
    await commitOnBranch(repo, "lanes/3-c", { "c.txt": "c\n" });
    const missing = await failure(
      pushBranch({ cwd: repo.root, branch: "lanes/3-c", remote: "up" }),
    );
    expect(missing.code).toBe("E_GITHUB_PUSH");
    expect(missing.message).toBe('the repository has no remote "up" to push to');
    expect(missing.exitCode).toBe(1);
    const gone = path.join(repo.dir, "gone.git");
    await repo.git.run(["remote", "set-url", "origin", gone]);
    const unreachable = await failure(pushBranch({ cwd: repo.root, branch: "lanes/3-c" }));
    expect(unreachable.code).toBe("E_GITHUB_PUSH");
    expect(unreachable.message).toContain(`could not push lanes/3-c to remote "origin" (${gone})`);
    expect(unreachable.hint).toBe("check that you can push there: git push origin lanes/3-c");
    expect(unreachable.exitCode).toBe(1);
  });
});

describe("publishTaskPr", () => {
  async function github(): Promise<GithubStandin> {
    return standin({
      issues: [
        { number: 1, title: "Add parser" },
        { number: 2, title: "Use parser", body: "Depends on #1" },
        { number: 3, title: "Docs" },
        { number: 4, title: "Wire all", body: "Depends on #2, #3" },
      ],
    });
  }

  it("opens a pull request into the base branch with what a reviewer needs, Closes #N", async () => {
    const server = await github();
    const pr = await publishTaskPr({
      client: testClient(server),
      task: task(1, "Add parser"),
      baseBranch: "main",
      runId: "20261129-1015-ab12",
      agentMessage: "Added src/parser.ts with tests.\n",
      verify: { command: "npm test", passed: true },
    });
    expect(pr).toEqual({
      number: 5,
      url: "https://github.test/acme/widgets/pull/5",
      base: "main",
      created: true,
    });
    expect(server.pulls).toEqual([
      {
        number: 5,
        title: "Add parser",
        head: "lanes/1-add-parser",
        base: "main",
        draft: false,
        state: "open",
        labels: [],
        body: [
          "Added src/parser.ts with tests.",
          "",
          "**Verify:** passed (`npm test`)  ",
          "**Run:** `20261129-1015-ab12` (lanes)",
          "",
          "Closes #1",
          "",
        ].join("\n"),
      },
    ]);
  });

  it("updates the open pull request of the same branch instead of opening a second", async () => {
    const server = await github();
    const client = testClient(server);
    const options = { client, task: task(1, "Add parser"), baseBranch: "main", draft: true };
    const first = await publishTaskPr({ ...options, runId: "run-1" });
    const second = await publishTaskPr({ ...options, runId: "run-2", agentMessage: "Redone." });
    expect(second).toEqual({ ...first, created: false });
    expect(server.pulls).toHaveLength(1);
    expect(server.pulls[0]!.draft).toBe(true);
    expect(server.pulls[0]!.body).toContain("Redone.");
    expect(server.pulls[0]!.body).toContain("`run-2`");
    expect(requestLines(server).filter((line) => !line.startsWith("GET"))).toEqual([
      "POST /repos/acme/widgets/pulls",
      "PATCH /repos/acme/widgets/pulls/5",
    ]);
  });

  it("opens no duplicate when two publish the same branch at once", async () => {
    const server = await github();
    const client = testClient(server);
    const options = { client, task: task(3, "Docs"), baseBranch: "main", runId: "r" };
    const results = await Promise.all([publishTaskPr(options), publishTaskPr(options)]);
    expect(server.pulls).toHaveLength(1);
    expect(results.map((result) => result.created).sort()).toEqual([false, true]);
  });

  it("stacks a task with one in-run dependency on that dependency's branch", async () => {
    const server = await github();
    const client = testClient(server);
    const parser = await publishTaskPr({
      client,
      task: task(1, "Add parser"),
      baseBranch: "main",
      runId: "r",
    });
    const stacked = await publishTaskPr({
      client,
      task: task(2, "Use parser"),
      baseBranch: "main",
      runId: "r",
      inRunDependencies: [{ id: "1", branch: "lanes/1-add-parser", issueNumber: 1 }],
    });
    expect(stacked.base).toBe("lanes/1-add-parser");
    const pull = server.pulls.find((candidate) => candidate.number === stacked.number)!;
    expect(pull.base).toBe("lanes/1-add-parser");
    expect(pull.body).toContain(`Stacked on #${parser.number}: merge that first.`);
    expect(pull.body).toContain("Closes #2");
    expect(pull.body).not.toContain("Closes #1");
  });

  it("with several in-run dependencies, merges into the base and names the PRs it builds on", async () => {
    const server = await github();
    const client = testClient(server);
    const two = await publishTaskPr({
      client,
      task: task(2, "Use parser"),
      baseBranch: "main",
      runId: "r",
    });
    const four = await publishTaskPr({
      client,
      task: task(4, "Wire all"),
      baseBranch: "main",
      runId: "r",
      verify: { command: "make check", passed: false },
      inRunDependencies: [
        { id: "2", branch: "lanes/2-use-parser", issueNumber: 2 },
        { id: "3", branch: "lanes/3-docs", issueNumber: 3 },
      ],
    });
    expect(four.base).toBe("main");
    const body = server.pulls.find((pull) => pull.number === four.number)!.body!;
    expect(body).toContain("_The agent left no final message._");
    expect(body).toContain("**Verify:** failed (`make check`)");
    expect(body).toContain(
      `Builds on these pull requests, whose work it contains; merge them first:\n- #${two.number}: \`lanes/2-use-parser\` (issue #2)\n- its branch: \`lanes/3-docs\` (issue #3)`,
    );
  });

  it("fails the task (exit 1) with GitHub's reason when the API refuses", async () => {
    const server = await github();
    const client = testClient(server);
    const sameBranch = await failure(
      publishTaskPr({
        client,
        task: { ...task(3, "Docs"), branch: "main" },
        baseBranch: "main",
        runId: "r",
      }),
    );
    expect(sameBranch.code).toBe("E_GITHUB_API");
    expect(sameBranch.exitCode).toBe(1);
    expect(sameBranch.message).toBe(
      "GitHub refused a pull request from main into main in acme/widgets (422 Validation Failed: No commits between main and main)",
    );
    server.rateLimitResetAt = Math.floor(Date.now() / 1000) + 60;
    const limited = await failure(
      publishTaskPr({ client, task: task(3, "Docs"), baseBranch: "main", runId: "r" }),
    );
    expect(limited.code).toBe("E_GITHUB_RATE_LIMIT");
    expect(limited.exitCode).toBe(1);
  });

  it("a secondary rate limit fails at once with GitHub's paced client too, saying when to retry", async () => {
    const server = await github();
    server.secondaryRetryAfter = 600;
    const paced = createGithubClient({
      repository: { owner: "acme", name: "widgets", source: "GITHUB_REPOSITORY" },
      apiUrl: server.url,
      token: { value: server.token, source: "GITHUB_TOKEN" },
    });
    const error = await failure(
      publishTaskPr({ client: paced, task: task(3, "Docs"), baseBranch: "main", runId: "r" }),
    );
    expect(error.code).toBe("E_GITHUB_RATE_LIMIT");
    expect(error.message).toContain(
      "GitHub's secondary rate limit stopped a pull request from lanes/3-docs into main",
    );
    expect(error.hint).toBe("retry after 600 s, with fewer tasks at once");
    expect(server.requests.filter((request) => request.method === "POST")).toHaveLength(1);
  });
});

describe("push, then publish, against a bare origin that plays GitHub's git side", () => {
  it("a branch never pushed is refused; pushed, its PR opens; a stacked PR's diff is its own work", async () => {
    const { repo, origin } = await repoWithOrigin();
    const server = await standin({ origin: path.join(repo.dir, "origin.git") });
    const client = testClient(server);
    await commitOnBranch(repo, "lanes/1-add-parser", { "parser.ts": "parse\n" });
    const first = { client, task: task(1, "Add parser"), baseBranch: "main", runId: "r" };
    const unpushed = await failure(publishTaskPr(first));
    expect(unpushed.message).toBe(
      "GitHub refused a pull request from lanes/1-add-parser into main in acme/widgets (422 Validation Failed: head invalid)",
    );
    await pushBranch({ cwd: repo.root, branch: "lanes/1-add-parser" });
    expect((await publishTaskPr(first)).created).toBe(true);

    await repo.git.run(["branch", "lanes/2-use-parser", "lanes/1-add-parser"]);
    await commitOnBranch(repo, "lanes/2-use-parser", { "use.ts": "use\n" });
    await pushBranch({ cwd: repo.root, branch: "lanes/2-use-parser" });
    const stacked = await publishTaskPr({
      ...first,
      task: task(2, "Use parser"),
      inRunDependencies: [{ id: "1", branch: "lanes/1-add-parser", issueNumber: 1 }],
    });
    const diff = await origin.run(["diff", "--name-only", `${stacked.base}...lanes/2-use-parser`]);
    expect(diff.stdout).toBe("use.ts");
  });
});

describe("publishRunPr", () => {
  it("opens one pull request for the integration branch: a checklist, Closes for done issues", async () => {
    const server = await standin({ issues: [{ number: 7, title: "Seven" }] });
    const client = testClient(server);
    const options = {
      client,
      runId: "r1",
      integrationBranch: "lanes/run/r1",
      baseBranch: "main",
      tasks: [
        { id: "7", title: "Seven", issueNumber: 7, state: "done" as const },
        { id: "8", title: "Eight", issueNumber: 8, state: "failed" as const, reason: "verify" },
        { id: "add-login", title: "Add login", state: "done" as const },
      ],
    };
    const pr = await publishRunPr(options);
    expect(pr.created).toBe(true);
    expect(server.pulls[0]).toMatchObject({
      head: "lanes/run/r1",
      base: "main",
      title: "lanes run r1: 2 of 3 tasks",
      body: [
        "Run `r1` of lanes: 2 of 3 tasks done, merged into `lanes/run/r1`.",
        "",
        "- [x] #7 Seven",
        "- [ ] #8 Eight — failed: verify",
        "- [x] `add-login` Add login",
        "",
        "Closes #7",
        "",
      ].join("\n"),
    });
    const again = await publishRunPr(options);
    expect(again).toEqual({ ...pr, created: false });
    expect(server.pulls).toHaveLength(1);
  });
});

describe("upsertIssueComment", () => {
  it("posts one comment, then edits it, finding it by its marker among many", async () => {
    const server = await standin({ issues: [{ number: 3, title: "Three" }] });
    for (let i = 0; i < 120; i++) server.comments.push({ id: i + 1, issue: 3, body: `human ${i}` });
    const client = testClient(server);
    const first = await upsertIssueComment({ client, issue: 3, body: "**lanes** is working." });
    const second = await upsertIssueComment({ client, issue: 3, body: "**lanes** finished." });
    expect(first.created).toBe(true);
    expect(second).toEqual({ ...first, created: false });
    const mine = server.comments.filter((comment) => comment.body.includes("<!-- lanes:run -->"));
    expect(mine).toEqual([
      { id: first.id, issue: 3, body: "**lanes** finished.\n\n<!-- lanes:run -->\n" },
    ]);
    expect(server.comments).toHaveLength(121);
    const writes = requestLines(server).filter((line) => !line.startsWith("GET"));
    expect(writes).toEqual([
      "POST /repos/acme/widgets/issues/3/comments",
      `PATCH /repos/acme/widgets/issues/comments/${first.id}`,
    ]);
  });

  it("names the issue when it does not exist", async () => {
    const server = await standin();
    const error = await failure(
      upsertIssueComment({ client: testClient(server), issue: 9, body: "x" }),
    );
    expect(error.code).toBe("E_GITHUB_NOT_FOUND");
    expect(error.message).toBe(
      `the comments of issue #9 not found in acme/widgets at ${server.url}`,
    );
    expect(error.exitCode).toBe(1);
  });
});

describe("taskCommentBody", () => {
  const where = { runId: "r7", branch: "lanes/3-docs" };
  it("says where the task is: started, done with its pull request, failed with the log's end", () => {
    expect(taskCommentBody({ state: "started", ...where })).toBe(
      "**lanes** is working on this issue (run `r7`, branch `lanes/3-docs`).",
    );
    expect(
      taskCommentBody({ state: "done", ...where, pullRequestUrl: "https://github.test/pull/9" }),
    ).toBe(
      "**lanes** finished this issue (run `r7`, branch `lanes/3-docs`): https://github.test/pull/9",
    );
    expect(
      taskCommentBody({
        state: "failed",
        ...where,
        reason: "verify failed",
        logTail: "FAIL test/a.test.ts\n```\n",
      }),
    ).toBe(
      [
        "**lanes** could not finish this issue (run `r7`, branch `lanes/3-docs`): verify failed. The branch is kept.",
        "",
        "Last lines of the log:",
        "",
        "```",
        "FAIL test/a.test.ts",
        "'''",
        "```",
      ].join("\n"),
    );
  });
});
