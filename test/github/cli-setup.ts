// What the end-to-end tests of lanes' GitHub side share: a clone whose `origin` is a bare
// repository, the GitHub stand-in holding the issues, and the scripted agent, which writes
// `issue-<n>.txt` for each issue (and its lanes-out record of what it saw); GitHub's write pacing
// is off (settings github.paceWrites), so that the suite stays fast.
import { mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach } from "vitest";
import { Git } from "../../src/git/runner.js";
import type { TempRepo } from "../helpers/cli.js";
import { scriptedRepo, task } from "../helpers/scripted-repo.js";
import type { GithubStandin, IssueSeed } from "../standins/github.js";
import { githubEnv, standin } from "./helpers.js";

const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((repo) => repo.cleanup()));
});

export interface Setup {
  repo: TempRepo;
  origin: Git;
  originDir: string;
  server: GithubStandin;
  env: Record<string, string | undefined>;
}

/**
 * A clone whose `origin` is a bare repository, a stand-in holding `issues`, and the scripted agent
 * writing `<name>.txt` for each issue (plus its lanes-out record of what it saw).
 */
export async function setup(
  issues: IssueSeed[],
  script: Record<string, unknown> = {},
  settings: Record<string, unknown> = {},
): Promise<Setup> {
  const steps: Record<string, unknown> = {};
  for (const issue of issues) {
    steps[String(issue.number)] = {
      sleepMs: 20,
      files: { [`issue-${issue.number}.txt`]: `${issue.title}\n` },
    };
  }
  // A task file that no issue run selects: the two sources live side by side.
  const repo = await scriptedRepo(
    { "write-docs": task("Write docs") },
    { ...steps, ...script },
    { concurrency: 2, github: { paceWrites: false }, ...settings },
  );
  repos.push(repo);
  const originDir = path.join(repo.dir, "origin.git");
  await mkdir(originDir);
  const origin = new Git(originDir);
  await origin.run(["init", "--quiet", "--bare", "--initial-branch=main"]);
  await repo.repo.git.run(["remote", "add", "origin", originDir]);
  await repo.repo.git.run(["push", "--quiet", "origin", "main"]);
  const server = await standin({ issues, origin: originDir });
  return { repo, origin, originDir, server, env: githubEnv(server) };
}

/** The files a pull request's diff touches: its head against its base, as GitHub shows it. */
export async function prFiles(origin: Git, base: string, head: string): Promise<string[]> {
  const { stdout } = await origin.run(["diff", "--name-only", `${base}...${head}`]);
  return stdout.split("\n").filter(Boolean).sort();
}

export async function events(root: string): Promise<Record<string, unknown>[]> {
  const runs = path.join(root, ".lanes", "runs");
  const ids = (await readdir(runs)).filter((name) => !name.startsWith(".")).sort();
  const text = await readFile(path.join(runs, ids.at(-1)!, "events.ndjson"), "utf8");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
