// `lanes run 1 2 3 4 5 --pr` as a user runs it: the built CLI against the GitHub stand-in, with a
// bare repository as `origin`. Issues depend on each other through each of GitHub's three forms;
// each done issue ends with a pushed branch and one open pull request whose diff is its own work
// (stacked on its one in-run dependency), and running the same command again opens none.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import type { IssueSeed } from "../standins/github.js";
import { events, prFiles, setup } from "./cli-setup.js";

const FIVE: IssueSeed[] = [
  { number: 1, title: "Add alpha" },
  { number: 2, title: "Add beta", body: "Needs alpha.\n\nDepends on: #1" },
  { number: 3, title: "Add gamma", blockedBy: [2] },
  { number: 4, title: "Add delta", labels: ["depends-on/1"], body: "Blocked by #5" },
  { number: 5, title: "Add epsilon" },
];

describe("lanes run <issues> --pr", () => {
  it("runs issues in dependency order and opens one PR per issue holding only its work; a second run opens none", async () => {
    const { repo, origin, server, env } = await setup(FIVE);
    // `--pr` before the numbers: they are issues, not the pull-request mode.
    const result = await runCli(["run", "--pr", "1", "2", "#3", "4", "5"], {
      cwd: repo.root,
      env,
    });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);

    // Dependency order: each issue starts only after its dependencies finished.
    const log = await events(repo.root);
    const at = (type: string, id: string) =>
      log.findIndex((event) => event.type === type && event.taskId === id);
    for (const [id, deps] of [
      ["2", ["1"]],
      ["3", ["2"]],
      ["4", ["1", "5"]],
    ] as const) {
      for (const dep of deps)
        expect(at("task_started", id)).toBeGreaterThan(at("task_finished", dep));
    }
    const started = log.filter((event) => event.type === "run_started")[0]!;
    expect(started.concurrency).toBe(2);
    // Under the concurrency limit: never more than two agents between start and exit.
    let running = 0;
    let most = 0;
    for (const event of log) {
      if (event.type === "task_started") most = Math.max(most, ++running);
      if (event.type === "agent_exited") running--;
    }
    expect(most).toBeLessThanOrEqual(2);

    // One open PR per issue, from its lanes/<n>-<slug> branch, with Closes #N.
    const pulls = server.pulls.filter((pull) => pull.state === "open");
    expect(pulls.map((pull) => pull.head).sort()).toEqual([
      "lanes/1-add-alpha",
      "lanes/2-add-beta",
      "lanes/3-add-gamma",
      "lanes/4-add-delta",
      "lanes/5-add-epsilon",
    ]);
    const pullOf = (n: number) => pulls.find((pull) => pull.head.startsWith(`lanes/${n}-`))!;
    for (const n of [1, 2, 3, 4, 5]) {
      expect(pullOf(n).body).toContain(`Closes #${n}`);
      expect(pullOf(n).body).toContain("**Run:**");
      expect(pullOf(n).title).toBe(FIVE[n - 1]!.title);
    }
    // Stacked where there is exactly one in-run dependency; on main otherwise.
    expect(pullOf(1).base).toBe("main");
    expect(pullOf(2).base).toBe("lanes/1-add-alpha");
    expect(pullOf(3).base).toBe("lanes/2-add-beta");
    expect(pullOf(5).base).toBe("main");
    expect(pullOf(4).base).toBe("main");
    expect(pullOf(4).body).toContain(`#${pullOf(1).number}`);
    expect(pullOf(4).body).toContain(`#${pullOf(5).number}`);

    // Each diff holds only its own issue's work (#4 holds its two dependencies', as its body says).
    for (const n of [1, 2, 3, 5]) {
      expect(await prFiles(origin, pullOf(n).base, pullOf(n).head)).toEqual([
        `issue-${n}.txt`,
        `lanes-out/${n}.txt`,
      ]);
    }
    expect(await prFiles(origin, "main", pullOf(4).head)).toEqual([
      "issue-1.txt",
      "issue-4.txt",
      "issue-5.txt",
      "lanes-out/1.txt",
      "lanes-out/4.txt",
      "lanes-out/5.txt",
    ]);

    // run.json and `lanes status` know each PR.
    const status = await runCli(["status"], { cwd: repo.root, env });
    for (const n of [1, 2, 3, 4, 5]) {
      expect(status.stdout).toMatch(
        new RegExp(`pull request https://\\S+/pull/${pullOf(n).number}\\b`),
      );
    }
    const json = JSON.parse((await runCli(["status", "--json"], { cwd: repo.root, env })).stdout);
    expect(json.tasks["2"].issue).toBe(2);
    expect(json.tasks["2"].pullRequest.base).toBe("lanes/1-add-alpha");
    expect(json.tasks["2"].branch).toBe("lanes/2-add-beta");

    // The same command again: the branches are pushed anew and the PRs updated, none opened.
    const again = await runCli(["run", "1", "2", "3", "4", "5", "--pr"], { cwd: repo.root, env });
    expect(again.exitCode).toBe(0);
    expect(server.pulls).toHaveLength(5);
    expect(server.pulls.every((pull) => pull.state === "open")).toBe(true);
    expect(again.stdout).toContain("updated");
    expect(again.stdout).not.toContain("opened");
  });

  it("--pr run opens one pull request for the integration branch with a checklist", async () => {
    const { repo, origin, server, env } = await setup(FIVE.slice(0, 2));
    const result = await runCli(["run", "2", "--pr", "run", "--draft"], { cwd: repo.root, env });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("#1 pulled in: #2 depends on it and it is open");
    expect(server.pulls).toHaveLength(1);
    const [pull] = server.pulls;
    expect(pull!.head).toMatch(/^lanes\/run\//);
    expect(pull!.base).toBe("main");
    expect(pull!.draft).toBe(true);
    expect(pull!.body).toContain("- [x] #1 Add alpha");
    expect(pull!.body).toContain("- [x] #2 Add beta");
    expect(pull!.body).toContain("Closes #1\nCloses #2");
    expect(await prFiles(origin, "main", pull!.head)).toEqual(
      expect.arrayContaining(["issue-1.txt", "issue-2.txt"]),
    );
    const status = await runCli(["status"], { cwd: repo.root, env });
    expect(status.stdout).toContain(
      `pull request https://github.test/acme/widgets/pull/${pull!.number}`,
    );
  });

  it("--comment keeps one comment per issue: done with its PR link, failed with the reason and the log's last lines", async () => {
    const { repo, server, env } = await setup(
      [
        { number: 1, title: "Add alpha" },
        { number: 2, title: "Add beta" },
      ],
      { "2": { exit: 1, stderr: "boom: the tests would not pass\n", noChanges: true } },
    );
    const result = await runCli(["run", "1", "2", "--pr", "--comment"], { cwd: repo.root, env });
    expect(result.exitCode).toBe(1);
    const on = (issue: number) => server.comments.filter((comment) => comment.issue === issue);
    expect(on(1)).toHaveLength(1);
    expect(on(2)).toHaveLength(1);
    const pull = server.pulls.find((candidate) => candidate.head.startsWith("lanes/1-"))!;
    expect(on(1)[0]!.body).toContain("finished this issue");
    expect(on(1)[0]!.body).toContain(`/pull/${pull.number}`);
    expect(on(2)[0]!.body).toContain("could not finish this issue");
    expect(on(2)[0]!.body).toContain("boom: the tests would not pass");
    // The comment was edited in place: started first, then its outcome.
    const edits = server.requests.filter((request) =>
      /^PATCH .*\/issues\/comments\//.test(`${request.method} ${request.url}`),
    );
    expect(edits.length).toBeGreaterThanOrEqual(2);
  });

  it("lanes resume goes on with --pr: the failed issue is stacked on the done one's branch, no PR opened twice", async () => {
    const { repo, origin, server, env } = await setup(FIVE.slice(0, 2), {
      "2": { sleepMs: 20, failAttempts: 1, files: { "issue-2.txt": "Add beta\n" } },
    });
    const first = await runCli(["run", "2", "--pr", "--comment"], { cwd: repo.root, env });
    expect(first.exitCode).toBe(1);
    expect(server.pulls.map((pull) => pull.head)).toEqual(["lanes/1-add-alpha"]);
    const resumed = await runCli(["resume", "--yes"], { cwd: repo.root, env });
    expect(resumed.exitCode).toBe(0);
    expect(server.pulls.map((pull) => pull.head).sort()).toEqual([
      "lanes/1-add-alpha",
      "lanes/2-add-beta",
    ]);
    const beta = server.pulls.find((pull) => pull.head === "lanes/2-add-beta")!;
    expect(beta.base).toBe("lanes/1-add-alpha");
    expect(await prFiles(origin, beta.base, beta.head)).toEqual(["issue-2.txt", "lanes-out/2.txt"]);
    // The run's --comment went on too: still one comment per issue, now saying #2 is done.
    const onBeta = server.comments.filter((comment) => comment.issue === 2);
    expect(onBeta).toHaveLength(1);
    expect(onBeta[0]!.body).toContain(`/pull/${beta.number}`);
  });

  it("settings alone say where GitHub is (an Enterprise /api/v3 base) and ask for pull requests", async () => {
    const { repo, server, env } = await setup(FIVE.slice(0, 1));
    const settingsFile = path.join(repo.root, ".lanes", "settings.json");
    const settings = JSON.parse(await readFile(settingsFile, "utf8"));
    settings.github = {
      repository: `${server.owner}/${server.repo}`,
      apiUrl: `${server.url}/api/v3`,
      paceWrites: false,
    };
    settings.pr = true;
    await writeFile(settingsFile, JSON.stringify(settings));
    const result = await runCli(["run", "1"], {
      cwd: repo.root,
      env: { ...env, GITHUB_REPOSITORY: undefined, GITHUB_API_URL: undefined },
    });
    expect(result.exitCode).toBe(0);
    expect(server.pulls.map((pull) => pull.head)).toEqual(["lanes/1-add-alpha"]);
    expect(server.requests.every((request) => request.url.startsWith("/api/v3/"))).toBe(true);
    // The report's task table links the pull request.
    const report = /^Report: (.+)$/m.exec(result.stdout)?.[1];
    expect(await readFile(report!, "utf8")).toContain(
      `https://github.test/acme/widgets/pull/${server.pulls[0]!.number}`,
    );
  });

  it("a refused API call (a secondary rate limit on writes) fails the task with reason github", async () => {
    const { repo, origin, server, env } = await setup(FIVE.slice(0, 1));
    server.secondaryRetryAfter = 60;
    const result = await runCli(["run", "1", "--pr"], { cwd: repo.root, env });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("github — GitHub's secondary rate limit stopped");
    expect(server.pulls).toHaveLength(0);
    // The branch was pushed before GitHub refused: the work is there for a later run.
    expect((await origin.run(["branch", "--list", "lanes/1-add-alpha"])).stdout).toContain(
      "lanes/1-add-alpha",
    );
  });

  it("a failed push fails the task with reason github and keeps its branch", async () => {
    const { repo, env } = await setup([{ number: 1, title: "Add alpha" }]);
    await repo.repo.git.run(["remote", "set-url", "origin", path.join(repo.dir, "gone.git")]);
    const result = await runCli(["run", "1", "--pr"], { cwd: repo.root, env });
    expect(result.exitCode).toBe(1);
    const json = JSON.parse((await runCli(["status", "--json"], { cwd: repo.root, env })).stdout);
    expect(json.tasks["1"].status).toBe("failed");
    expect(json.tasks["1"].reason).toBe("github");
    expect(json.tasks["1"].detail).toContain("could not push lanes/1-add-alpha");
    expect(json.lanes["1"].branch).toBe(true);
  });
});
