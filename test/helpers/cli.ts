// End-to-end helpers: run the built `lanes` binary as a user would (no shell, CI unset, no colour),
// in throwaway git repositories, and take snapshots that show whether anything on disk changed.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterEach } from "vitest";
import { makeRepo, type TestRepo } from "./git-repo.js";

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..");
export const CLI = path.join(PROJECT_ROOT, "dist", "cli", "main.js");

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  cwd: string;
  /** Added to the environment; a value of undefined removes the variable. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed (it is closed at once without input). */
  input?: string;
  /** Ends the process (and fails the result) after this long; generous, never a timing assertion. */
  timeoutMs?: number;
}

// Variables that would point git at another repository (set when tests run inside a git hook).
const GIT_REPO_ENV = ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_PREFIX"];

/** A user settings file that never exists, so that the developer's own settings stay out of tests. */
const NO_USER_SETTINGS = path.join(os.tmpdir(), "lanes-tests-no-user-settings", "settings.json");

/** The environment the CLI gets in tests: no CI, no LANES_* or repository-pointing GIT_* leaking in. */
export function cliEnv(extra: RunCliOptions["env"] = {}): Record<string, string> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.CI; // CI unset: the terminal code path is the one under test, as for a user.
  for (const name of Object.keys(env)) {
    if (name.startsWith("LANES_") || GIT_REPO_ENV.includes(name)) delete env[name];
  }
  Object.assign(env, { NO_COLOR: "1", LANES_USER_SETTINGS: NO_USER_SETTINGS }, extra);
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** Runs `node dist/cli/main.js ...args`: an argv array, never a shell; never throws on exit codes. */
export async function runCli(args: readonly string[], options: RunCliOptions): Promise<CliResult> {
  const result = await execa(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: cliEnv(options.env),
    extendEnv: false,
    input: options.input ?? "",
    reject: false,
    stripFinalNewline: false,
    timeout: options.timeoutMs ?? 45_000,
    forceKillAfterDelay: 2_000,
  });
  if (result.exitCode === undefined) {
    throw new Error(
      `lanes ${args.join(" ")} did not exit: ${result.shortMessage}\n${result.stderr}`,
    );
  }
  return {
    exitCode: result.exitCode,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  };
}

export interface TempRepo {
  /** The repository's working tree. */
  root: string;
  /** The temporary folder holding it (and lanes' default worktree folder); removed by cleanup. */
  dir: string;
  repo: TestRepo;
  cleanup: () => Promise<void>;
}

/**
 * A git repository with `files` (plus a README.md unless given) in one initial commit on `main`,
 * with a local user identity. Built on helpers/git-repo.ts's makeRepo.
 */
export async function tempRepo(files: Record<string, string> = {}): Promise<TempRepo> {
  const repo = await makeRepo({ "README.md": "# test repository\n", ...files });
  return { root: repo.root, dir: repo.dir, repo, cleanup: repo.cleanup };
}

async function hashFile(file: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
}

/** Every entry below `dir` as `kind path detail` lines, `.git` left out (git is asked instead). */
async function listTree(dir: string, base: string, skipGit: boolean): Promise<string[]> {
  const lines: string[] = [];
  let entries: string[];
  try {
    entries = (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  for (const name of entries) {
    const full = path.join(dir, name);
    const rel = path.relative(base, full).split(path.sep).join("/");
    if (skipGit && rel === ".git") continue;
    const stat = await lstat(full);
    if (stat.isSymbolicLink()) lines.push(`link ${rel} -> ${await readlink(full)}`);
    else if (stat.isDirectory()) {
      lines.push(`dir  ${rel}/`);
      lines.push(...(await listTree(full, base, skipGit)));
    } else {
      const mode = (stat.mode & 0o777).toString(8);
      lines.push(`file ${rel} ${mode} ${stat.size} ${await hashFile(full)}`);
    }
  }
  return lines;
}

async function git(root: string, args: string[]): Promise<string> {
  const result = await execa("git", ["--no-pager", ...args], {
    cwd: root,
    reject: false,
    // Optional locks off: `git status` must not refresh the index of the repository it describes.
    env: { GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" },
  });
  return `$ git ${args.join(" ")} (exit ${result.exitCode})\n${result.stdout}${result.stderr}`;
}

/**
 * A text picture of a repository: every file with its mode and content hash, git's view of the
 * working tree, refs, HEAD, worktrees and local config, and lanes' default worktree folder next
 * to the repository. Two equal snapshots mean nothing a user could notice has changed.
 */
export async function snapshot(root: string): Promise<string> {
  const worktrees = path.join(path.dirname(root), ".lanes-worktrees", path.basename(root));
  const gitFiles: string[] = [];
  for (const name of ["HEAD", "config", "info/exclude"]) {
    const file = path.join(root, ".git", name);
    gitFiles.push(`.git/${name} ${await hashFile(file).catch(() => "missing")}`);
  }
  const sections = [
    "# files",
    ...(await listTree(root, root, true)),
    "# .git",
    ...gitFiles,
    await git(root, ["status", "--porcelain=v1", "--untracked-files=all", "--ignored"]),
    await git(root, ["for-each-ref", "--format=%(objectname) %(refname)"]),
    await git(root, ["symbolic-ref", "--quiet", "HEAD"]),
    await git(root, ["rev-parse", "HEAD"]),
    await git(root, ["worktree", "list", "--porcelain"]),
    await git(root, ["stash", "list"]),
    `# ${worktrees}`,
    ...(await listTree(worktrees, worktrees, false)),
  ];
  return `${sections.join("\n")}\n`;
}

export interface StartedCli {
  child: ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  /** The exit code or signal, and when it came. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

const startedClis = new Set<ChildProcess>();

/** SIGKILL to every CLI `startCli` started that still runs: no test leaves lanes behind. */
export function killStartedClis(): void {
  for (const child of startedClis) if (child.exitCode === null) child.kill("SIGKILL");
  startedClis.clear();
}

afterEach(killStartedClis);

/** Starts `lanes ...args` without waiting for it (to interrupt it, or race it); never a shell. */
export function startCli(
  args: readonly string[],
  cwd: string,
  env: RunCliOptions["env"] = {},
): StartedCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: cliEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  startedClis.add(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
    (resolve) => {
      child.once("exit", (code, signal) => resolve({ code, signal, at: Date.now() }));
    },
  );
  return { child, pid: child.pid!, stdout: () => out, stderr: () => err, exited };
}
