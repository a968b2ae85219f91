import { existsSync } from "node:fs";
import path from "node:path";
import { Command } from "@commander-js/extra-typings";
import { formatDuration } from "../../config/duration.js";
import { findRepoRoot, isAncestor } from "../../git/repo.js";
import { Git } from "../../git/runner.js";
import { type Colors, colors } from "../../report/colors.js";
import { reasonText, SYMBOL, whyText } from "../../report/lines.js";
import { plural } from "../../report/text.js";
import type { TaskRunStatus } from "../../run/events.js";
import type { RunState, TaskState } from "../../state/run-state.js";
import { type FoundRun, findRun, listRuns } from "../../state/runs.js";
import { useColor } from "../output.js";

/** What is left of a run, and the commands that go on from here. */
export interface RunLeft {
  pending: number;
  running: number;
  failed: number;
  skipped: number;
  /** Ids of the tasks that are not done, in plan order. */
  tasks: string[];
  /** Commands to run next (resume, land, follow), most useful first. */
  next: string[];
}

/** `lanes status --json`: run.json as it is, plus what lanes derives from it. */
export type StatusJson = RunState & {
  live: boolean;
  /** Recorded as running, but its orchestrator is gone (killed, machine slept and rebooted). */
  crashed: boolean;
  left: RunLeft;
  integration: { exists: boolean; mergedIntoHead: boolean };
};

interface GitFacts {
  branches: Set<string>;
  integrationExists: boolean;
  integrationMerged: boolean;
}

async function gitFacts(repoRoot: string, state: RunState): Promise<GitFacts> {
  const git = new Git(repoRoot);
  const refs = await git.run(["for-each-ref", "--format=%(refname:short)", "refs/heads/lanes/"], {
    allowFail: true,
  });
  const branches = new Set(refs.stdout.split("\n").filter(Boolean));
  const integrationExists = branches.has(state.integrationBranch);
  const head = await git.run(["rev-parse", "--verify", "--quiet", "HEAD"], { allowFail: true });
  const integrationMerged =
    integrationExists &&
    head.exitCode === 0 &&
    (await isAncestor(git, `refs/heads/${state.integrationBranch}`, head.stdout).catch(
      () => false,
    ));
  return { branches, integrationExists, integrationMerged };
}

function count(state: RunState, status: TaskRunStatus): number {
  return state.order.filter((id) => state.tasks[id]?.status === status).length;
}

export function runLeft(
  run: FoundRun,
  facts: Pick<GitFacts, "integrationExists" | "integrationMerged">,
): RunLeft {
  const { state } = run;
  const tasks = state.order.filter((id) => state.tasks[id]?.status !== "done");
  const left: RunLeft = {
    pending: count(state, "pending"),
    running: count(state, "running"),
    failed: count(state, "failed"),
    skipped: count(state, "skipped"),
    tasks,
    next: [],
  };
  const crashed = state.status === "running" && !run.live;
  if (run.live) {
    const running = state.order.find((id) => state.tasks[id]?.status === "running");
    if (running) left.next.push(`lanes logs ${running} --follow`);
  } else if (!facts.integrationExists) {
    // Resuming needs the integration branch; without it, run what is left afresh.
    if (tasks.length > 0) left.next.push(`lanes run ${tasks.join(" ")}`);
  } else if (crashed || state.status === "interrupted") {
    left.next.push(`lanes resume ${state.id}`);
  } else if (state.status === "failed" && tasks.length > 0) {
    left.next.push(`lanes resume ${state.id} --retry-failed`);
  }
  const done = count(state, "done");
  if (!run.live && done > 0 && facts.integrationExists && !facts.integrationMerged) {
    left.next.push(`git merge --ff-only ${state.integrationBranch}`);
  }
  if (state.status === "abandoned" && facts.integrationExists && tasks.length > 0) {
    left.next.push(`lanes run ${tasks.join(" ")}`);
  }
  return left;
}

/** A path as the user can type it from here: relative to the current folder when that is shorter. */
function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel !== "" && rel.length < p.length ? rel : p;
}

function localTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function thousands(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function runStatusText(run: FoundRun, c: Colors): string {
  const { state } = run;
  if (run.live) return c.cyan(`running (pid ${state.pid})`);
  switch (state.status) {
    case "running":
      return c.red("crashed (resume with lanes resume)");
    case "done":
      return c.green("done");
    case "failed":
      return c.red("failed");
    case "interrupted":
      return c.yellow("interrupted (resume with lanes resume)");
    default:
      return c.yellow(state.status);
  }
}

function runDurationText(run: FoundRun, now: number): string {
  const { state } = run;
  if (state.finishedAt !== undefined) return formatDuration(state.finishedAt - state.startedAt);
  if (run.live) return `${formatDuration(now - state.startedAt)} so far`;
  const last = run.updatedAt ?? state.startedAt;
  return `about ${formatDuration(Math.max(0, last - state.startedAt))} until it stopped`;
}

/** The symbol, word and colour of a task's status; a crashed run's running tasks "were running". */
function taskStatusLook(
  task: TaskState,
  live: boolean,
  c: Colors,
): { symbol: string; label: string; paint: (text: string) => string } {
  switch (task.status) {
    case "done":
      return { symbol: SYMBOL.done, label: "done", paint: c.green };
    case "failed":
      return { symbol: SYMBOL.failed, label: "failed", paint: c.red };
    case "skipped":
      return { symbol: SYMBOL.skipped, label: "skipped", paint: c.yellow };
    case "running":
      return live
        ? { symbol: SYMBOL.running, label: "running", paint: c.cyan }
        : { symbol: "?", label: "was running", paint: c.red };
    default:
      return { symbol: SYMBOL.pending, label: "pending", paint: c.dim };
  }
}

function taskDuration(task: TaskState, live: boolean, now: number): string {
  if (task.durationMs !== undefined) return formatDuration(task.durationMs);
  if (task.status === "running" && live && task.startedAt !== undefined) {
    return formatDuration(now - task.startedAt);
  }
  return "";
}

function usageText(task: Pick<TaskState, "tokens" | "cost">): string | undefined {
  const parts: string[] = [];
  if (task.tokens) {
    parts.push(`tokens ${thousands(task.tokens.input)} in / ${thousands(task.tokens.output)} out`);
  }
  if (task.cost !== undefined) parts.push(`cost $${task.cost.toFixed(2)}`);
  return parts.length > 0 ? parts.join(", ") : undefined;
}

/** Where the task's work is: its branch (kept or gone) or the merge that took it in. */
function branchText(task: TaskState, facts: GitFacts): string | undefined {
  if (facts.branches.has(task.branch)) {
    return `branch ${task.branch}${task.status === "done" ? "" : " (kept)"}`;
  }
  if (task.status === "done") {
    return task.mergeCommit ? `merged as ${task.mergeCommit.slice(0, 7)}` : "merged";
  }
  return task.attempts > 0 ? `branch ${task.branch} (deleted)` : undefined;
}

export function formatStatus(
  run: FoundRun,
  facts: GitFacts,
  others: { id: string; status: string }[],
  options: { color: boolean; now: number },
): string {
  const c = colors(options.color);
  const { state } = run;
  const { now } = options;
  const lines: string[] = [];
  lines.push(`${c.bold(`Run ${state.id}`)}: ${runStatusText(run, c)}`);
  const field = (name: string, value: string) => lines.push(`  ${name.padEnd(12)} ${value}`);
  field(
    "started",
    `${localTime(state.startedAt)} (${formatDuration(Math.max(0, now - state.startedAt))} ago)`,
  );
  field("duration", runDurationText(run, now));
  const base = state.baseCommit.slice(0, 7);
  field("base", state.baseBranch ? `${state.baseBranch} at ${base}` : `${base} (detached HEAD)`);
  const integration = facts.integrationExists
    ? facts.integrationMerged
      ? "merged into HEAD"
      : count(state, "done") > 0
        ? "not landed yet"
        : "nothing merged"
    : "deleted";
  field("integration", `${state.integrationBranch} (${integration})`);
  field("worktrees", shown(state.worktreeRoot));
  lines.push("");

  const width = Math.max(4, ...state.order.map((id) => id.length));
  for (const id of state.order) {
    const task = state.tasks[id];
    if (!task) continue;
    const look = taskStatusLook(task, run.live, c);
    const attempts = task.attempts > 0 ? plural(task.attempts, "attempt") : "";
    const took = taskDuration(task, run.live, now);
    const why =
      task.status === "failed" || task.status === "skipped"
        ? (whyText(task.reason, task.detail, c) ?? reasonText(task.reason) ?? "")
        : "";
    lines.push(
      `  ${look.paint(look.symbol)} ${id.padEnd(width)}  ${look.paint(look.label.padEnd(11))} ${attempts.padEnd(10)} ${took.padEnd(8)} ${why}`.trimEnd(),
    );
    const more: string[] = [];
    const branch = branchText(task, facts);
    if (branch) more.push(branch);
    if (task.worktree && task.status !== "done" && existsSync(task.worktree)) {
      more.push(`worktree ${shown(task.worktree)}`);
    }
    if (task.logPath) more.push(`log ${shown(task.logPath)}`);
    const usage = usageText(task);
    if (usage) more.push(usage);
    if (more.length > 0) lines.push(`      ${c.dim(more.join(" · "))}`);
  }

  const tasks = state.order.map((id) => state.tasks[id]).filter((t) => t !== undefined);
  const withTokens = tasks.filter((t) => t.tokens);
  const withCost = tasks.filter((t) => t.cost !== undefined);
  if (withTokens.length > 0 || withCost.length > 0) {
    const total = usageText({
      tokens:
        withTokens.length > 0
          ? {
              input: withTokens.reduce((sum, t) => sum + t.tokens!.input, 0),
              output: withTokens.reduce((sum, t) => sum + t.tokens!.output, 0),
            }
          : undefined,
      cost: withCost.length > 0 ? withCost.reduce((sum, t) => sum + t.cost!, 0) : undefined,
    });
    lines.push("", `Total: ${total}`);
  }

  const left = runLeft(run, facts);
  lines.push("");
  const parts: string[] = [];
  if (left.running > 0) parts.push(`${left.running} ${run.live ? "running" : "were running"}`);
  if (left.pending > 0) parts.push(`${left.pending} pending`);
  if (left.failed > 0) parts.push(c.red(`${left.failed} failed`));
  if (left.skipped > 0) parts.push(c.yellow(`${left.skipped} skipped`));
  const done = count(state, "done");
  lines.push(
    parts.length > 0
      ? `Left: ${parts.join(", ")} (${done} of ${state.order.length} done)`
      : `Left: nothing (${done} of ${state.order.length} done)`,
  );
  for (const command of left.next) lines.push(`  next: ${command}`);

  if (others.length > 0) {
    const list = others
      .slice(0, 5)
      .map((other) => `${other.id} (${other.status})`)
      .join(", ");
    const more = others.length > 5 ? `, and ${others.length - 5} older` : "";
    lines.push("", c.dim(`Other runs: ${list}${more} — lanes status <run-id>`));
  }
  return `${lines.join("\n")}\n`;
}

export function statusCommand() {
  return new Command("status")
    .description(
      "show a run: each task's outcome, attempts, duration, branch and log, and what is left to do",
    )
    .argument("[run-id]", "the run to show, or a unique prefix of its id (default: the latest)")
    .option(
      "--json",
      "print one JSON object: run.json plus the derived live, crashed, left and integration",
    )
    .action(async (runId, flags) => {
      const repoRoot = await findRepoRoot(process.cwd());
      const run = await findRun(repoRoot, runId);
      const facts = await gitFacts(repoRoot, run.state);
      if (flags.json) {
        const json: StatusJson = {
          ...run.state,
          live: run.live,
          crashed: run.state.status === "running" && !run.live,
          left: runLeft(run, facts),
          integration: { exists: facts.integrationExists, mergedIntoHead: facts.integrationMerged },
        };
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        return;
      }
      const others = (await listRuns(repoRoot))
        .filter((other) => other.id !== run.id)
        .map((other) => ({
          id: other.id,
          status: other.live
            ? "running"
            : other.state?.status === "running"
              ? "crashed"
              : (other.state?.status ?? "unreadable"),
        }));
      process.stdout.write(
        formatStatus(run, facts, others, { color: useColor(process.stdout), now: Date.now() }),
      );
    });
}
