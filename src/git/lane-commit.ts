// Commits in a lane's own worktree (what the agent left, the task's record): not queued, since
// they touch only the lane's index and branch, like the agent's own commits.
import { LanesError } from "../errors.js";
import { laneHead } from "./head-file.js";
import { identityArgs } from "./repo.js";
import type { Git } from "./runner.js";

export interface CommitAllResult {
  committed: boolean;
  /** HEAD of the worktree afterwards. */
  commit: string;
  /** HEAD before lanes' commit: the agent's own last commit, or the lane's start. */
  before: string;
}

/**
 * Commits everything left in a lane worktree. Not queued: it touches only the lane's own index and
 * branch, like the agent's own commits, which run in parallel anyway. Hooks are skipped
 * (--no-verify): the task's verify command is the gate, and hooks often need a setup lanes
 * cannot know about.
 */
export async function commitAll(
  git: Git,
  worktreePath: string,
  message: string,
  /** Paths (from the worktree's root) never to stage: what lanes itself linked or copied there. */
  exclude: readonly string[] = [],
): Promise<CommitAllResult> {
  const cwd = worktreePath;
  const before = await laneHead(git, cwd);
  const leftOut = exclude.map((file) => `:(exclude,literal,top)${file}`);
  // --sparse: in a sparse lane (lane.sparse) a file the agent created outside its cone is work
  // too; without it `add` refuses the whole call. Files the cone left out are not touched.
  await git.run(["add", "-A", "--sparse", "--", ".", ...leftOut], { cwd });
  const identity = await identityArgs(git);
  const commit = await git.run([...identity, "commit", "--quiet", "--no-verify", "-F", "-"], {
    cwd,
    input: message,
    allowFail: true,
  });
  // `git commit` with nothing staged says so and exits 1: cheaper than asking first.
  const nothing =
    commit.exitCode === 1 && /nothing (added )?to commit/.test(commit.stdout + commit.stderr);
  if (commit.exitCode !== 0 && !nothing) {
    throw new LanesError(
      "E_GIT",
      `git commit failed in ${cwd}: ${(commit.stderr || commit.stdout).trim()}`,
      {
        exitCode: 1,
      },
    );
  }
  return { committed: !nothing, commit: nothing ? before : await laneHead(git, cwd), before };
}

/** Commits just these (tracked) paths in a worktree, whatever else is staged or not. */
export async function commitPaths(
  git: Git,
  worktreePath: string,
  paths: readonly string[],
  message: string,
): Promise<string> {
  const identity = await identityArgs(git);
  await git.run([...identity, "commit", "--quiet", "--no-verify", "-F", "-", "--", ...paths], {
    cwd: worktreePath,
    input: message,
  });
  return laneHead(git, worktreePath);
}
