// The one way lanes runs git: argv only, a predictable environment, errors as LanesError, and a
// per-repository queue for operations that touch shared metadata (.git/worktrees, refs).
import { AsyncLocalStorage } from "node:async_hooks";
import { realpath } from "node:fs/promises";
import path from "node:path";
import { LanesError } from "../errors.js";
import { spawnThroughHelper } from "./spawner.js";

export interface GitRunOptions {
  /** Defaults to the repository root the Git was made for. */
  cwd?: string;
  /** Added on top of the inherited environment (after lanes' own settings). */
  env?: Record<string, string>;
  /** Written to git's stdin. */
  input?: string;
  /** Return non-zero exits instead of throwing (a missing git binary still throws). */
  allowFail?: boolean;
  /** Keep stdout byte-for-byte (file contents); by default the final newline is stripped. */
  raw?: boolean;
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

// Variables a git hook exports that would point our git at another repository or index.
const REPO_ENV = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
  "GIT_COMMON_DIR",
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_PREFIX",
  "GIT_NAMESPACE",
  "GIT_QUARANTINE_PATH",
];

function gitEnv(extra: Record<string, string> | undefined): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of REPO_ENV) delete env[name];
  return {
    ...env,
    LC_ALL: "C",
    GIT_TERMINAL_PROMPT: "0",
    GIT_PAGER: "cat",
    GIT_EDITOR: "true",
    GIT_OPTIONAL_LOCKS: "0",
    // No `git maintenance run --auto` after each of lanes' commits (a process per commit, and a
    // gc competing with the agents); the run does one maintenance pass at its end instead.
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "maintenance.auto",
    GIT_CONFIG_VALUE_0: "false",
    ...extra,
  };
}

// Queue tails keyed by the real path of a repository's common git dir; they never reject.
const tails = new Map<string, Promise<unknown>>();
// Keys the current async call chain already holds, so nested exclusive() calls don't deadlock.
const held = new AsyncLocalStorage<ReadonlySet<string>>();

/** Strips one final newline, as a shell's `$(...)` would. */
function stripFinalNewline(text: string): string {
  if (text.endsWith("\r\n")) return text.slice(0, -2);
  return text.endsWith("\n") ? text.slice(0, -1) : text;
}

export class Git {
  readonly root: string;
  #lockKey: Promise<string> | undefined;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  async run(args: string[], opts: GitRunOptions = {}): Promise<GitResult> {
    const cwd = opts.cwd ?? this.root;
    const result = await spawnThroughHelper({
      file: "git",
      args: ["--no-pager", ...args],
      cwd,
      env: gitEnv(opts.env),
      input: opts.input ?? "",
    });
    const command = `git ${args.join(" ")}`;
    if (result.exitCode === undefined) {
      throw new LanesError("E_GIT", `could not run ${command} in ${cwd}: ${result.error}`, {
        hint: "install git 2.38 or newer and make sure it is on PATH",
        exitCode: 1,
      });
    }
    const strip = opts.raw ? (text: string) => text : stripFinalNewline;
    const out = {
      stdout: strip(result.stdout),
      stderr: strip(result.stderr),
      exitCode: result.exitCode,
    };
    if (out.exitCode !== 0 && !opts.allowFail) {
      const detail = (out.stderr || out.stdout).trim();
      throw new LanesError(
        "E_GIT",
        `${command} failed in ${cwd} (exit ${out.exitCode})${detail ? `: ${detail}` : ""}`,
        { exitCode: 1 },
      );
    }
    return out;
  }

  /**
   * Runs fn after every earlier exclusive() on the same repository and queue has settled.
   * Reentrant. The default queue guards shared metadata (worktrees, branches); a merge queue
   * (`merge:<branch>`) serialises updates of one branch without holding up worktree creation.
   */
  async exclusive<T>(fn: () => Promise<T>, queue = "metadata"): Promise<T> {
    const key = `${await this.lockKey()}\0${queue}`;
    const mine = held.getStore();
    if (mine?.has(key)) return fn();
    const previous = tails.get(key) ?? Promise.resolve();
    const result = previous.then(() => held.run(new Set([...(mine ?? []), key]), fn));
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  }

  /** The real path of the common git dir: every worktree of one repository shares it. */
  lockKey(): Promise<string> {
    this.#lockKey ??= this.run(["rev-parse", "--git-common-dir"])
      .then(({ stdout }) => realpath(path.resolve(this.root, stdout)))
      .catch((error: unknown) => {
        this.#lockKey = undefined;
        throw error;
      });
    return this.#lockKey;
  }
}
