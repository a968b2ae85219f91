// The baselines lanes is measured against: what a user writes by hand instead of lanes, made
// correct the way PERFORMANCE.md asks. Parallel `git worktree add` races on .git/worktrees (about
// one run in two fails at 40 tasks), so add and remove are serialised with flock; a task that
// fails makes the script exit non-zero (xargs exits 123) instead of silently doing less; and
// every branch is merged, as lanes merges every lane.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { git } from "./common.mjs";

/** The agent both sides run: near-empty, one file written. Never through a shell on lanes' side. */
export const NOOP_AGENT = ["sh", "-c", 'echo done > "out-$LANES_TASK_ID.txt"'];

// One task of the parallel script: add a worktree, run the agent, commit, remove the worktree.
const ONE_TASK = `#!/bin/sh
set -e
id="$1"; repo="$2"; wt="$3/$id"; shift 3
flock "$repo/.git/by-hand.lock" git -C "$repo" worktree add --quiet -b "hand/$id" "$wt" HEAD
(cd "$wt" && LANES_TASK_ID="$id" "$@" < /dev/null && git add -A && git commit --quiet -m "task $id")
flock "$repo/.git/by-hand.lock" git -C "$repo" worktree remove "$wt"
`;

// The chain by hand: one task after another, each from the previous one's merge.
const CHAIN = `#!/bin/sh
set -e
repo="$1"; wts="$2"; shift 2
for id in $(cat "$wts/ids"); do
  git -C "$repo" worktree add --quiet -b "hand/$id" "$wts/$id" HEAD
  (cd "$wts/$id" && LANES_TASK_ID="$id" "$@" < /dev/null && git add -A && git commit --quiet -m "task $id")
  git -C "$repo" worktree remove "$wts/$id"
  git -C "$repo" merge --quiet --no-edit "hand/$id"
done
`;

/** A committed repository at `dir` with one empty commit, for a script to work in. */
export function scriptRepo(dir) {
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "--quiet", "--initial-branch=main");
  git(dir, "config", "user.name", "bench");
  git(dir, "config", "user.email", "bench@lanes.invalid");
  git(dir, "commit", "--quiet", "--allow-empty", "-m", "start");
  return dir;
}

function writeScript(dir, name, text) {
  const file = path.join(dir, name);
  writeFileSync(file, text, { mode: 0o755 });
  return file;
}

/**
 * The bare parallel script on `repo`: each id's worktree add + agent + commit + worktree remove
 * under `xargs -P concurrency`, then `git merge` of every branch, one after another. Returns its
 * wall time in ms, or throws when any task or merge failed. `env` reaches every process (a PATH
 * with a counting git first, say).
 */
export function runParallelScript(repo, ids, { concurrency, agent = NOOP_AGENT, env } = {}) {
  const work = path.join(path.dirname(repo), `${path.basename(repo)}-hand`);
  mkdirSync(path.join(work, "wt"), { recursive: true });
  const script = writeScript(work, "task.sh", ONE_TASK);
  const merges = ids.map((id) => `git merge --quiet --no-edit "hand/${id}"`).join(" && ");
  const started = performance.now();
  const stat = execFileSync(
    "sh",
    [
      "-c",
      `xargs -P "$1" -I{} "$2" {} "$3" "$4" ${agent.map((_, i) => `"$${i + 5}"`).join(" ")} && ${merges} && cat /proc/$$/stat`,
      "sh",
      String(concurrency),
      script,
      repo,
      path.join(work, "wt"),
      ...agent,
    ],
    { cwd: repo, input: `${ids.join("\n")}\n`, env, encoding: "utf8", maxBuffer: 1 << 24 },
  );
  const ms = performance.now() - started;
  assertMerged(repo, ids);
  return { ms, cpuMs: childrenCpuMs(stat) };
}

/**
 * The hand-written sequential chain on `repo`: for each id in order, worktree add from the
 * current head, agent, commit, worktree remove, merge. Returns its wall time in ms.
 */
export function runChainScript(repo, ids, { agent = NOOP_AGENT } = {}) {
  const work = path.join(path.dirname(repo), `${path.basename(repo)}-chain`);
  mkdirSync(work, { recursive: true });
  writeFileSync(path.join(work, "ids"), `${ids.join("\n")}\n`);
  const script = writeScript(work, "chain.sh", CHAIN);
  const started = performance.now();
  execFileSync(script, [repo, work, ...agent], { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
  const ms = performance.now() - started;
  assertMerged(repo, ids);
  return ms;
}

/** A script that did less than every task is no baseline: each task's file must be on main. */
function assertMerged(repo, ids) {
  const files = new Set(git(repo, "ls-tree", "--name-only", "HEAD").split("\n"));
  const missing = ids.filter((id) => !files.has(`out-${id}.txt`));
  if (missing.length) throw new Error(`the script did not merge ${missing.join(", ")}`);
}

/**
 * CPU time (user + system, ms) of every process a shell waited for, from the cutime and cstime
 * fields of its /proc/<pid>/stat line (clock ticks of 10 ms): the whole script's CPU.
 */
function childrenCpuMs(statLine) {
  const fields = statLine
    .slice(statLine.lastIndexOf(")") + 2)
    .trim()
    .split(" ");
  // Fields after the command name start at field 3 (state); cutime and cstime are fields 16, 17.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}
