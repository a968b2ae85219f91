// The GitHub side of `lanes run` and `lanes plan` before anything starts: issues picked by number
// or label (and mixed with task files), dependencies pulled in or counted done, and every GitHub
// error found up front — no token, a rejected token, an unknown repository or issue, a rate limit,
// a cycle, no remote to push to — exiting 2 with a message naming what to fix, no run started.
import { existsSync } from "node:fs";
import { mkdir, symlink } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { setup } from "./cli-setup.js";

const TWO = [
  { number: 1, title: "Add alpha", labels: ["ready"] },
  { number: 2, title: "Add beta", body: "Depends on #1", labels: ["ready"] },
  { number: 3, title: "Add gamma" },
];

/** Exit 2, the message on stderr, and no run folder: nothing was started. */
async function refused(args: string[], s: Awaited<ReturnType<typeof setup>>, env = s.env) {
  const result = await runCli(args, { cwd: s.repo.root, env });
  expect(result.exitCode).toBe(2);
  expect(result.stdout).toBe("");
  expect(existsSync(path.join(s.repo.root, ".lanes", "runs"))).toBe(false);
  return result.stderr;
}

describe("GitHub issues as tasks, up front", () => {
  it("lanes plan names pulled-in dependencies and counts closed ones done", async () => {
    const s = await setup([
      { number: 1, title: "Add alpha", state: "closed" },
      { number: 2, title: "Add beta", blockedBy: [1] },
      { number: 3, title: "Add gamma", labels: ["depends-on/2"] },
    ]);
    const result = await runCli(["plan", "#3"], { cwd: s.repo.root, env: s.env });
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("Plan: 2 tasks in 2 waves");
    expect(result.stdout).toContain("pulled in as unfinished dependencies: 2");
    expect(result.stdout).toContain("#2 depends on #1, which is closed: counts as done");
    const json = JSON.parse(
      (await runCli(["plan", "3", "--json"], { cwd: s.repo.root, env: s.env })).stdout,
    );
    expect(json.waves).toEqual([["2"], ["3"]]);
    expect(json.pulled_in).toEqual(["2"]);
    const only = JSON.parse(
      (await runCli(["plan", "3", "--only", "--json"], { cwd: s.repo.root, env: s.env })).stdout,
    );
    expect(only.waves).toEqual([["3"]]);
  });

  it("--github --label runs the open issues with that label, beside a named task file", async () => {
    const s = await setup(TWO);
    const plan = await runCli(["plan", "--github", "--label", "ready"], {
      cwd: s.repo.root,
      env: s.env,
    });
    expect(plan.stdout).toMatch(/Wave 1\n {2}1 +Add alpha\n/);
    expect(plan.stdout).not.toContain("Add gamma");
    const result = await runCli(["run", "write-docs", "--github", "--label", "ready"], {
      cwd: s.repo.root,
      env: s.env,
    });
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(
      (await runCli(["status", "--json"], { cwd: s.repo.root, env: s.env })).stdout,
    );
    expect(json.order.sort()).toEqual(["1", "2", "write-docs"]);
    expect(json.tasks["1"].branch).toBe("lanes/1-add-alpha");
    expect(json.tasks["write-docs"].branch).toBe("lanes/write-docs");
  });

  it("a cycle is printed as #1 -> #2 -> #1 and exits 2, for run and plan", async () => {
    const s = await setup([
      { number: 1, title: "Add alpha", body: "Blocked by #2" },
      { number: 2, title: "Add beta", labels: ["depends-on/1"] },
    ]);
    expect(await refused(["run", "1"], s)).toContain("#1 -> #2 -> #1");
    expect(await refused(["plan", "2"], s)).toMatch(/#2 -> #1 -> #2|#1 -> #2 -> #1/);
  });

  it("no token: names the variables and gh", async () => {
    const s = await setup(TWO);
    // A PATH with git alone: no gh that could be logged in on this machine.
    const bin = path.join(s.repo.dir, "bin");
    await mkdir(bin);
    const git = (await execa("git", ["--exec-path"])).stdout.trim();
    await symlink(path.join(git, "git"), path.join(bin, "git"));
    const stderr = await refused(["run", "1"], s, {
      ...s.env,
      GITHUB_TOKEN: undefined,
      GH_TOKEN: undefined,
      PATH: bin,
    });
    expect(stderr).toContain("no GitHub token: GITHUB_TOKEN and GH_TOKEN are unset");
    expect(stderr).toContain("gh auth login");
  });

  it("a rejected token (401) names where it came from", async () => {
    const s = await setup(TWO);
    const stderr = await refused(["run", "1", "--pr"], s, { ...s.env, GITHUB_TOKEN: "wrong" });
    expect(stderr).toContain("rejected the token from GITHUB_TOKEN (401");
  });

  it("an unknown repository or issue (404) is named", async () => {
    const s = await setup(TWO);
    expect(
      await refused(["run", "1"], s, { ...s.env, GITHUB_REPOSITORY: "acme/nothing" }),
    ).toContain("repository acme/nothing not found");
    expect(await refused(["run", "1", "99"], s)).toContain("issue #99 not found in acme/widgets");
  });

  it("a rate limit says when it resets", async () => {
    const s = await setup(TWO);
    const reset = Math.floor(Date.now() / 1000) + 1800;
    s.server.rateLimitResetAt = reset;
    const stderr = await refused(["run", "1"], s);
    expect(stderr).toContain("rate limit is used up");
    expect(stderr).toContain(new Date(reset * 1000).toISOString());
  });

  it("--pr without the remote to push to, and --github without a label, exit 2", async () => {
    const s = await setup(TWO);
    expect(await refused(["run", "--github"], s)).toContain("--github needs --label");
    await s.repo.repo.git.run(["remote", "remove", "origin"]);
    expect(await refused(["run", "1", "--pr"], s)).toContain(
      'the repository has no remote "origin" to push to',
    );
    expect(await refused(["run", "1", "--pr=later"], s)).toContain("Invalid --pr value: later");
    // A word that is no mode after `--pr` is an argument: here an issue number that is not one.
    expect(await refused(["run", "--pr", "later"], s)).toContain("later");
  });
});
