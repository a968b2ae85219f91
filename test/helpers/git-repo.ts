// Throwaway git repositories for tests: <tmp>/repo with one commit, so that the default worktree
// folder (<tmp>/.lanes-worktrees/repo) is inside the same temporary folder and goes with cleanup.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Git } from "../../src/git/runner.js";

export interface TestRepo {
  /** The repository's working tree. */
  root: string;
  /** The temporary folder holding it; removed by cleanup. */
  dir: string;
  git: Git;
  cleanup: () => Promise<void>;
}

export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

export async function makeRepo(
  files: Record<string, string> = { "README.md": "# test\n" },
): Promise<TestRepo> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), "lanes-git-")));
  const root = path.join(dir, "repo");
  await mkdir(root);
  const git = new Git(root);
  await git.run(["init", "--quiet", "--initial-branch=main"]);
  await git.run(["config", "user.name", "Test"]);
  await git.run(["config", "user.email", "test@example.com"]);
  await git.run(["config", "commit.gpgsign", "false"]);
  await writeFiles(root, files);
  await git.run(["add", "-A"]);
  await git.run(["commit", "--quiet", "-m", "initial commit"]);
  return { root, dir, git, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Commits files on a branch (created from main if missing) without touching the checkout. */
export async function commitOnBranch(
  repo: TestRepo,
  branch: string,
  files: Record<string, string>,
  message = `change ${Object.keys(files).join(", ")}`,
): Promise<string> {
  const wt = path.join(repo.dir, `wt-${branch.replaceAll("/", "-")}-${Date.now()}`);
  const exists = await repo.git.run(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], {
    allowFail: true,
  });
  const args = exists.exitCode === 0 ? [wt, branch] : ["-b", branch, wt, "main"];
  await repo.git.run(["worktree", "add", "--quiet", ...args]);
  await writeFiles(wt, files);
  await repo.git.run(["add", "-A"], { cwd: wt });
  await repo.git.run(["commit", "--quiet", "-m", message], { cwd: wt });
  const commit = (await repo.git.run(["rev-parse", "HEAD"], { cwd: wt })).stdout;
  await repo.git.run(["worktree", "remove", wt]);
  return commit;
}

/**
 * `dir` made a git repository with one commit (README.md), synchronously: a lane-like folder for
 * tests that drive an agent CLI in it and remove their scratch folder themselves.
 */
export function initRepoSync(dir: string): string {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("config", "user.email", "lanes@example.com");
  git("config", "user.name", "lanes");
  writeFileSync(path.join(dir, "README.md"), "# app\n");
  git("add", "README.md");
  git("commit", "-q", "-m", "init");
  return dir;
}
