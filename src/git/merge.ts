// The merge queue: merges lanes into a run's integration branch with plumbing only (no checkout,
// no index, one compare-and-swap ref update), so a killed run never leaves a half-done merge.
import { mkdtemp, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LanesError } from "../errors.js";
import {
  assertRefName,
  dirtyFiles,
  headCommit,
  identityArgs,
  isAncestor,
  resolveCommit,
} from "./repo.js";
import type { Git } from "./runner.js";
import { listWorktrees } from "./worktrees.js";

/** Creates a branch at commit; fails when it exists. */
export async function createBranch(git: Git, name: string, commit: string): Promise<void> {
  assertRefName(name);
  await git.exclusive(() => git.run(["branch", "--no-track", name, commit]));
}

export interface ExtraFile {
  /** Repository-relative, with forward slashes. */
  path: string;
  /** The new content, or a function of the content in the merged tree (undefined if absent). */
  content: string | ((current: string | undefined) => string);
}

export interface MergeOptions {
  /** Branch name (not a ref), e.g. lanes/run/<id>. */
  target: string;
  /** Any revision, usually a lane branch. */
  source: string;
  message: string;
  /** Written into the merge commit, e.g. a task file's status write-back. */
  extraFiles?: ExtraFile[];
  /**
   * A commit that source is known to descend from (a lane whose only commits lanes made on its
   * start). When the target is still there, the merged tree is source's own: no merge-tree.
   */
  descendsFrom?: string;
}

export type MergeResult = { ok: true; commit: string } | { ok: false; conflicts: string[] };

/**
 * Merges source into target. On conflicts nothing changes and the conflicted paths come back.
 * Merges asked for while the queue is busy go together in its next pass (mergeBatch).
 */
export async function mergeInto(git: Git, opts: MergeOptions): Promise<MergeResult> {
  assertRefName(opts.target);
  const source = /^[0-9a-f]{40}$/.test(opts.source)
    ? opts.source
    : await resolveCommit(git, opts.source);
  const key = headKey(git, opts.target);
  return new Promise<MergeResult>((resolve, reject) => {
    let batch = waiting.get(key);
    if (!batch) {
      const fresh: WaitingMerge[] = [];
      batch = fresh;
      waiting.set(key, fresh);
      git
        .exclusive(async () => {
          // Whatever joined until the queue came to this pass goes in it; later ones, in the next.
          if (waiting.get(key) === fresh) waiting.delete(key);
          await mergeBatch(git, opts.target, fresh);
        }, mergeQueue(opts.target))
        .catch((error: unknown) => {
          for (const merge of fresh) merge.reject(error);
        });
    }
    batch.push({ opts: { ...opts, source }, resolve, reject });
  });
}

interface WaitingMerge {
  opts: MergeOptions;
  resolve: (result: MergeResult) => void;
  reject: (error: unknown) => void;
}

/** Merges waiting for the next pass of each branch's merge queue. */
const waiting = new Map<string, WaitingMerge[]>();

/**
 * One pass of the merge queue: the merges one after another as a chain of commits (merge-tree,
 * commit-tree each), then one compare-and-swap of the branch to the chain's end, so that a kill
 * leaves all of them merged or none. A conflict or error fails only its own merge.
 */
async function mergeBatch(git: Git, target: string, batch: WaitingMerge[]): Promise<void> {
  const ref = `refs/heads/${target}`;
  const key = headKey(git, target);
  const chain = async (start: string) => {
    let head = start;
    const results: ({ ok: true; value: MergeResult } | { ok: false; error: unknown })[] = [];
    for (const { opts } of batch) {
      try {
        const value = await mergeCommit(git, head, opts);
        if (value.ok) head = value.commit;
        results.push({ ok: true, value });
      } catch (error) {
        results.push({ ok: false, error });
      }
    }
    if (head !== start) {
      const last = batch.length === 1 ? batch[0]!.opts.message : `merge ${batch.length} lanes`;
      await casRef(git, ref, head, start, last);
    }
    lastWritten.set(key, head);
    return results;
  };
  const known = lastWritten.get(key);
  let results: Awaited<ReturnType<typeof chain>>;
  try {
    results = await chain(known ?? (await resolveCommit(git, ref)));
  } catch (error) {
    if (known === undefined || !(error instanceof LanesError)) throw error;
    lastWritten.delete(key);
    results = await chain(await resolveCommit(git, ref));
  }
  results.forEach((result, i) => {
    if (result.ok) batch[i]!.resolve(result.value);
    else batch[i]!.reject(result.error);
  });
}

/**
 * What lanes last wrote to each branch it merges into: inside the merge queue it is the branch's
 * head unless someone else moved it, which the compare-and-swap update detects. Saves one git
 * process a merge, every one of which the queue makes wait.
 */
const lastWritten = new Map<string, string>();

function headKey(git: Git, branch: string): string {
  return `${git.root}\0${branch}`;
}

/**
 * The merge commit of source onto old, not yet on any branch: two git processes (merge-tree,
 * commit-tree), one when the target has not moved since the lane started.
 */
async function mergeCommit(git: Git, old: string, opts: MergeOptions): Promise<MergeResult> {
  const { source } = opts;
  // The target has not moved since the lane started: the merge's tree is the lane's tree.
  const merge =
    opts.descendsFrom === old
      ? { exitCode: 0, stdout: `${source}^{tree}`, stderr: "" }
      : await git.run(
          ["merge-tree", "--write-tree", "--name-only", "--no-messages", "-z", old, source],
          { allowFail: true },
        );
  const [treeId = "", ...names] = merge.stdout.split("\0");
  if (merge.exitCode === 1) {
    return { ok: false, conflicts: [...new Set(names.filter(Boolean))] };
  }
  if (merge.exitCode !== 0 || !treeId) {
    throw new LanesError(
      "E_GIT",
      `git merge-tree ${opts.target} ${opts.source} failed (exit ${merge.exitCode}): ${merge.stderr.trim()}`,
      { exitCode: 1 },
    );
  }
  let tree = treeId;
  if (opts.extraFiles?.length) tree = await writeExtraFiles(git, tree, opts.extraFiles);
  const identity = await identityArgs(git);
  const commit = (
    await git.run([...identity, "commit-tree", tree, "-p", old, "-p", source, "-F", "-"], {
      input: opts.message,
    })
  ).stdout;
  return { ok: true, commit };
}

/** Commits files onto a branch without a checkout (a failed task's status record, say). */
export async function commitFiles(
  git: Git,
  opts: { target: string; files: ExtraFile[]; message: string },
): Promise<string> {
  assertRefName(opts.target);
  return git.exclusive(async () => {
    const ref = `refs/heads/${opts.target}`;
    const old = await resolveCommit(git, ref);
    const tree = await writeExtraFiles(git, `${old}^{tree}`, opts.files);
    const identity = await identityArgs(git);
    const commit = (
      await git.run([...identity, "commit-tree", tree, "-p", old, "-F", "-"], {
        input: opts.message,
      })
    ).stdout;
    await casRef(git, ref, commit, old, opts.message);
    lastWritten.set(headKey(git, opts.target), commit);
    return commit;
  }, mergeQueue(opts.target));
}

/** Merges into one branch wait for each other, not for worktree creation. */
function mergeQueue(branch: string): string {
  return `merge:${branch}`;
}

/** Moves ref from old to next, failing (E_GIT) when someone else moved it meanwhile. */
async function casRef(git: Git, ref: string, next: string, old: string, reason: string) {
  const firstLine = reason.split("\n")[0] ?? "";
  const result = await git.run(["update-ref", "-m", `lanes: ${firstLine}`, ref, next, old], {
    allowFail: true,
  });
  if (result.exitCode !== 0) {
    throw new LanesError(
      "E_GIT",
      `${ref} moved while lanes was updating it (expected ${old}): ${result.stderr.trim()}`,
      { hint: "something else changed the branch during the run; run lanes resume", exitCode: 1 },
    );
  }
}

function checkExtraPath(p: string): string {
  const normal = path.posix.normalize(p);
  const bad =
    !p ||
    path.posix.isAbsolute(normal) ||
    normal.startsWith("../") ||
    normal === ".." ||
    normal === "." ||
    normal.split("/").includes(".git") ||
    /[\0\n]/.test(p);
  if (bad) {
    throw new LanesError("E_GIT", `cannot write ${JSON.stringify(p)} into a commit`, {
      hint: "use a repository-relative path with forward slashes",
      exitCode: 1,
    });
  }
  return normal;
}

/** The tree with extra files written into it, through a temporary index. */
async function writeExtraFiles(git: Git, tree: string, files: ExtraFile[]): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "lanes-index-"));
  const env = { GIT_INDEX_FILE: path.join(dir, "index") };
  try {
    await git.run(["read-tree", tree], { env });
    const lines: string[] = [];
    for (const file of files) {
      const p = checkExtraPath(file.path);
      let content = file.content;
      if (typeof content === "function") {
        const current = await git.run(["cat-file", "blob", `${tree}:${p}`], {
          allowFail: true,
          raw: true,
        });
        content = content(current.exitCode === 0 ? current.stdout : undefined);
      }
      const blob = await git.run(["hash-object", "-w", "--stdin"], { input: content });
      lines.push(`100644 ${blob.stdout}\t${p}`);
    }
    await git.run(["update-index", "-z", "--index-info"], { env, input: `${lines.join("\0")}\0` });
    return (await git.run(["write-tree"], { env })).stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export { type CommitAllResult, commitAll, commitPaths } from "./lane-commit.js";

/** Whether the lane has commits or uncommitted changes beyond the commit it started from. */
export async function changedSince(
  git: Git,
  worktreePath: string,
  baseCommit: string,
): Promise<boolean> {
  if ((await headCommit(git, worktreePath)) !== (await resolveCommit(git, baseCommit))) return true;
  return (await dirtyFiles(git, worktreePath)).length > 0;
}

export interface FastForwardOptions {
  /** The branch to move, e.g. main. */
  branch: string;
  /** Where to move it, e.g. the integration branch. */
  to: string;
  /** The repository's main working tree, where branch may be checked out. */
  mainCheckout: string;
}

/** For --land: moves branch forward to `to`, never rewriting history or touching a dirty checkout. */
export async function fastForward(
  git: Git,
  opts: FastForwardOptions,
): Promise<{ updated: boolean; commit: string }> {
  assertRefName(opts.branch);
  return git.exclusive(async () => {
    const ref = `refs/heads/${opts.branch}`;
    const old = await resolveCommit(git, ref);
    const to = await resolveCommit(git, opts.to);
    if (old === to) return { updated: false, commit: to };
    if (!(await isAncestor(git, old, to))) {
      throw new LanesError(
        "E_GIT",
        `cannot fast-forward ${opts.branch} to ${opts.to}: ${opts.branch} has commits that ${opts.to} lacks`,
        {
          hint: `merge by hand: git merge ${opts.to}`,
          exitCode: 1,
        },
      );
    }
    const wt = (await listWorktrees(git)).find((w) => w.branch === opts.branch);
    if (!wt) {
      await casRef(git, ref, to, old, `land ${opts.to}`);
      return { updated: true, commit: to };
    }
    const [here, main] = await Promise.all([realpathOf(wt.path), realpathOf(opts.mainCheckout)]);
    if (here !== main) {
      throw new LanesError(
        "E_GIT",
        `cannot land on ${opts.branch}: it is checked out at ${wt.path}`,
        {
          hint: `run git merge --ff-only ${opts.to} there`,
          exitCode: 1,
        },
      );
    }
    const dirty = await dirtyFiles(git, wt.path, { untracked: false });
    if (dirty.length > 0) {
      throw new LanesError(
        "E_GIT",
        `cannot land on ${opts.branch}: ${wt.path} has uncommitted changes (${dirty.slice(0, 5).join(", ")})`,
        { hint: `commit or stash them, then run git merge --ff-only ${opts.to}`, exitCode: 1 },
      );
    }
    await git.run(["merge", "--ff-only", "--quiet", to], { cwd: wt.path });
    return { updated: true, commit: to };
  });
}

async function realpathOf(p: string): Promise<string> {
  return realpath(p).catch(() => path.resolve(p));
}
