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

export interface Staged {
  /** HEAD when lanes came to commit: the agent's own last commit, or the lane's start. */
  before: string;
  /** `addAll` staged something. */
  staged: boolean;
}

/**
 * Stages everything left in a lane worktree; `add -v` names what it staged, so that whether the
 * agent left anything costs no process of its own. True when it staged something: the agent left
 * changes. False does not prove the index equals HEAD (the agent may have staged changes
 * itself): `stagedChanges` says that.
 */
export async function addAll(
  git: Git,
  worktreePath: string,
  /** Paths (from the worktree's root) never to stage: what lanes itself linked or copied there. */
  exclude: readonly string[] = [],
): Promise<boolean> {
  const leftOut = exclude.map((file) => `:(exclude,literal,top)${file}`);
  // --sparse: in a sparse lane (lane.sparse) a file the agent created outside its cone is work
  // too; without it `add` refuses the whole call. Files the cone left out are not touched.
  const added = await git.run(["add", "-A", "-v", "--sparse", "--", ".", ...leftOut], {
    cwd: worktreePath,
  });
  return added.stdout.trim() !== "";
}

/** HEAD before lanes' commit, then everything left in the lane staged (addAll). */
export async function stageAll(
  git: Git,
  worktreePath: string,
  exclude: readonly string[] = [],
): Promise<Staged> {
  const before = await laneHead(git, worktreePath);
  return { before, staged: await addAll(git, worktreePath, exclude) };
}

/** Whether the lane's index differs from its HEAD (asked only when `stageAll` saw nothing). */
export async function stagedChanges(git: Git, worktreePath: string): Promise<boolean> {
  const diff = await git.run(["diff-index", "--cached", "--quiet", "HEAD", "--"], {
    cwd: worktreePath,
    allowFail: true,
  });
  if (diff.exitCode > 1) {
    throw new LanesError("E_GIT", `git diff-index failed in ${worktreePath}: ${diff.stderr}`, {
      exitCode: 1,
    });
  }
  return diff.exitCode === 1;
}

/**
 * Commits the lane's index, plus `include` (tracked paths staged by this same commit, `-i`: the
 * task's record written after `stageAll`). Hooks are skipped (--no-verify): the task's verify
 * command is the gate, and hooks often need a setup lanes cannot know about.
 */
export async function commitStaged(
  git: Git,
  worktreePath: string,
  message: string,
  before: string,
  include: readonly string[] = [],
): Promise<Omit<CommitAllResult, "before">> {
  const cwd = worktreePath;
  const identity = await identityArgs(git);
  const paths = include.length > 0 ? ["-i", "--", ...include] : [];
  const commit = await git.run(
    [...identity, "commit", "--quiet", "--no-verify", "-F", "-", ...paths],
    { cwd, input: message, allowFail: true },
  );
  // `git commit` with nothing staged says so and exits 1: cheaper than asking first.
  const nothing =
    commit.exitCode === 1 && /nothing (added )?to commit/.test(commit.stdout + commit.stderr);
  if (commit.exitCode !== 0 && !nothing) {
    throw new LanesError(
      "E_GIT",
      `git commit failed in ${cwd}: ${(commit.stderr || commit.stdout).trim()}`,
      { exitCode: 1 },
    );
  }
  return { committed: !nothing, commit: nothing ? before : await laneHead(git, cwd) };
}

/** Commits everything left in a lane worktree (not queued: see the opening comment). */
export async function commitAll(
  git: Git,
  worktreePath: string,
  message: string,
  /** Paths (from the worktree's root) never to stage: what lanes itself linked or copied there. */
  exclude: readonly string[] = [],
): Promise<CommitAllResult> {
  const { before } = await stageAll(git, worktreePath, exclude);
  return { ...(await commitStaged(git, worktreePath, message, before)), before };
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
