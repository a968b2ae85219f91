// Read-only questions about a repository that the rest of lanes asks before it changes anything.
import { stat } from "node:fs/promises";
import path from "node:path";
import { LanesError } from "../errors.js";
import { Git } from "./runner.js";

/** The top of the working tree that contains cwd. */
export async function findRepoRoot(cwd: string): Promise<string> {
  const dir = path.resolve(cwd);
  const exists = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists) {
    throw new LanesError("E_NOT_A_REPO", `${dir} is not a directory`, {
      hint: "cd into a git repository",
    });
  }
  const result = await new Git(dir).run(["rev-parse", "--show-toplevel"], { allowFail: true });
  if (result.exitCode === 0 && result.stdout) return result.stdout;
  if (result.stderr.includes("dubious ownership")) {
    throw new LanesError("E_GIT", `git refuses to work in ${dir}: it is owned by another user`, {
      hint: `git config --global --add safe.directory ${dir}`,
    });
  }
  throw new LanesError("E_NOT_A_REPO", `${dir} is not inside a git repository (with a work tree)`, {
    hint: "run git init or cd into a repository",
  });
}

/** The commit a revision names, or undefined when it names none. */
export async function tryResolveCommit(git: Git, rev: string, cwd?: string) {
  const args = ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`];
  const result = await git.run(args, { cwd, allowFail: true });
  return result.exitCode === 0 ? result.stdout : undefined;
}

/** The commit a revision names; a LanesError when it names none. */
export async function resolveCommit(git: Git, rev: string, cwd?: string): Promise<string> {
  const commit = await tryResolveCommit(git, rev, cwd);
  if (commit) return commit;
  throw new LanesError("E_GIT", `${JSON.stringify(rev)} does not name a commit in ${git.root}`, {
    exitCode: 1,
  });
}

/** The commit checked out at cwd (the repository root by default). */
export async function headCommit(git: Git, cwd?: string): Promise<string> {
  const commit = await tryResolveCommit(git, "HEAD", cwd);
  if (commit) return commit;
  throw new LanesError("E_GIT", `${cwd ?? git.root} has no commit checked out yet`, {
    hint: 'make a first commit: git commit --allow-empty -m "initial commit"',
  });
}

/** The short name of the branch checked out at cwd; undefined when HEAD is detached. */
export async function currentBranch(git: Git, cwd?: string): Promise<string | undefined> {
  const result = await git.run(["symbolic-ref", "--quiet", "--short", "HEAD"], {
    cwd,
    allowFail: true,
  });
  if (result.exitCode === 0) return result.stdout;
  if (result.exitCode === 1) return undefined;
  throw new LanesError(
    "E_GIT",
    `git symbolic-ref HEAD failed in ${cwd ?? git.root}: ${result.stderr}`,
    {
      exitCode: 1,
    },
  );
}

/** Paths with changes at cwd; untracked files count unless untracked is false. */
export async function dirtyFiles(
  git: Git,
  cwd?: string,
  opts: { untracked?: boolean } = {},
): Promise<string[]> {
  const untracked = opts.untracked === false ? "no" : "all";
  const { stdout } = await git.run(
    ["status", "--porcelain=v1", "-z", `--untracked-files=${untracked}`],
    { cwd },
  );
  const files: string[] = [];
  const entries = stdout.split("\0");
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.length < 4) continue;
    files.push(entry.slice(3));
    // A rename or copy is followed by its original path, which is not a separate change.
    if (entry[0] === "R" || entry[0] === "C") i++;
  }
  return files;
}

export async function isClean(
  git: Git,
  cwd?: string,
  opts: { untracked?: boolean } = {},
): Promise<boolean> {
  return (await dirtyFiles(git, cwd, opts)).length === 0;
}

export async function branchExists(git: Git, name: string): Promise<boolean> {
  const result = await git.run(["show-ref", "--verify", "--quiet", `refs/heads/${name}`], {
    allowFail: true,
  });
  return result.exitCode === 0;
}

/** Whether commit a is an ancestor of (or equal to) commit b. */
export async function isAncestor(git: Git, a: string, b: string): Promise<boolean> {
  const result = await git.run(["merge-base", "--is-ancestor", a, b], { allowFail: true });
  if (result.exitCode === 0) return true;
  if (result.exitCode === 1) return false;
  throw new LanesError("E_GIT", `git merge-base --is-ancestor ${a} ${b} failed: ${result.stderr}`, {
    exitCode: 1,
  });
}

/**
 * `-c` options that give commits made by lanes an author when the repository has none configured;
 * empty when it has one, so that the user's identity (or GIT_AUTHOR_* env) is used.
 */
export function identityArgs(git: Git): Promise<string[]> {
  // Asked once per repository and run: every lane commit and merge needs it.
  let cached = identityCache.get(git);
  if (!cached) {
    cached = readIdentityArgs(git);
    identityCache.set(git, cached);
  }
  return cached;
}

const identityCache = new WeakMap<Git, Promise<string[]>>();

async function readIdentityArgs(git: Git): Promise<string[]> {
  const [name, email] = await Promise.all(
    ["user.name", "user.email"].map((key) => git.run(["config", key], { allowFail: true })),
  );
  const args: string[] = [];
  if (!name?.stdout) args.push("-c", "user.name=lanes");
  if (!email?.stdout) args.push("-c", "user.email=lanes@localhost");
  return args;
}

/** Refuses names git would read as options; git itself checks the rest when it creates a ref. */
export function assertRefName(name: string): void {
  if (!name || name.startsWith("-") || /[\s~^:?*[\\\0]/.test(name)) {
    throw new LanesError("E_GIT", `${JSON.stringify(name)} is not a usable branch name`, {
      exitCode: 1,
    });
  }
}
