// `lanes status`'s human output, drawn from status()'s StatusJson alone: the run's header, one
// line per task (and where its work is), the totals, what is left and the commands to go on.

import { formatDuration } from "../config/duration.js";
import type { TaskState } from "../state/run-state.js";
import type { StatusJson } from "../status/status.js";
import { type Colors, colors } from "./colors.js";
import { reasonText, SYMBOL, whyText } from "./lines.js";
import { shownPath } from "./shown-path.js";
import { plural } from "./text.js";

function localTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function thousands(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function runStatusText(run: StatusJson, c: Colors): string {
  if (run.live) return c.cyan(`running (pid ${run.pid})`);
  switch (run.status) {
    case "running":
      return c.red("crashed (resume with lanes resume)");
    case "done":
      return c.green("done");
    case "failed":
      return c.red("failed");
    case "interrupted":
      return c.yellow("interrupted (resume with lanes resume)");
    default:
      return c.yellow(run.status);
  }
}

function runDurationText(run: StatusJson, now: number): string {
  if (run.finishedAt !== undefined) return formatDuration(run.finishedAt - run.startedAt);
  if (run.live) return `${formatDuration(now - run.startedAt)} so far`;
  const last = run.updatedAt ?? run.startedAt;
  return `about ${formatDuration(Math.max(0, last - run.startedAt))} until it stopped`;
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

/**
 * The quality loop: the phase a running task is in, the loops it took and qa's last verdict:
 * `phase qa · loops qa 1, verify 1 · verdict ready`.
 */
function qualityText(task: TaskState, live: boolean): string | undefined {
  const q = task.quality;
  if (!q) return undefined;
  const parts: string[] = [];
  if (task.status === "running" && live && q.phase) parts.push(`phase ${q.phase}`);
  const loops = [
    q.qaLoops ? `qa ${q.qaLoops}` : undefined,
    q.verifyLoops ? `verify ${q.verifyLoops}` : undefined,
  ].filter(Boolean);
  if (loops.length > 0) parts.push(`loops ${loops.join(", ")}`);
  if (q.verdict) parts.push(`verdict ${q.verdict.replace(/_/g, " ")}`);
  return parts.length > 0 ? parts.join(" · ") : undefined;
}

/** Where the task's work is: its branch (kept or gone) or the merge that took it in. */
function branchText(task: TaskState, branchExists: boolean): string | undefined {
  if (branchExists) return `branch ${task.branch}${task.status === "done" ? "" : " (kept)"}`;
  if (task.status === "done") {
    return task.mergeCommit ? `merged as ${task.mergeCommit.slice(0, 7)}` : "merged";
  }
  return task.attempts > 0 ? `branch ${task.branch} (deleted)` : undefined;
}

function totalLine(tasks: TaskState[]): string | undefined {
  const withTokens = tasks.filter((t) => t.tokens);
  const withCost = tasks.filter((t) => t.cost !== undefined);
  if (withTokens.length === 0 && withCost.length === 0) return undefined;
  return usageText({
    tokens:
      withTokens.length > 0
        ? {
            input: withTokens.reduce((sum, t) => sum + t.tokens!.input, 0),
            output: withTokens.reduce((sum, t) => sum + t.tokens!.output, 0),
          }
        : undefined,
    cost: withCost.length > 0 ? withCost.reduce((sum, t) => sum + t.cost!, 0) : undefined,
  });
}

export function formatStatus(run: StatusJson, options: { color: boolean; now: number }): string {
  const c = colors(options.color);
  const { now } = options;
  const lines: string[] = [];
  lines.push(`${c.bold(`Run ${run.id}`)}: ${runStatusText(run, c)}`);
  const field = (name: string, value: string) => lines.push(`  ${name.padEnd(12)} ${value}`);
  field(
    "started",
    `${localTime(run.startedAt)} (${formatDuration(Math.max(0, now - run.startedAt))} ago)`,
  );
  field("duration", runDurationText(run, now));
  const base = run.baseCommit.slice(0, 7);
  field("base", run.baseBranch ? `${run.baseBranch} at ${base}` : `${base} (detached HEAD)`);
  const done = run.order.filter((id) => run.tasks[id]?.status === "done").length;
  const integration = run.integration.exists
    ? run.integration.mergedIntoHead
      ? "merged into HEAD"
      : done > 0
        ? "not landed yet"
        : "nothing merged"
    : "deleted";
  field("integration", `${run.integrationBranch} (${integration})`);
  if (run.pullRequest) field("pull request", run.pullRequest.url);
  field("worktrees", shownPath(run.worktreeRoot));
  lines.push("");

  const width = Math.max(4, ...run.order.map((id) => id.length));
  for (const id of run.order) {
    const task = run.tasks[id];
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
    const quality = qualityText(task, run.live);
    if (quality) more.push(quality);
    const lane = run.lanes[id];
    const branch = branchText(task, lane?.branch ?? false);
    if (branch) more.push(branch);
    if (task.issue !== undefined) more.push(`issue #${task.issue}`);
    if (task.pullRequest) more.push(`pull request ${task.pullRequest.url}`);
    if (task.worktree && task.status !== "done" && lane?.worktree) {
      more.push(`worktree ${shownPath(task.worktree)}`);
    }
    // A running lane's block (LANES_PORT is the first): where its dev server listens.
    if (task.ports && run.live) more.push(`ports ${task.ports.first}-${task.ports.last}`);
    if (task.logPath) more.push(`log ${shownPath(task.logPath)}`);
    const usage = usageText(task);
    if (usage) more.push(usage);
    if (more.length > 0) lines.push(`      ${c.dim(more.join(" · "))}`);
  }

  const total = totalLine(run.order.map((id) => run.tasks[id]).filter((t) => t !== undefined));
  if (total) lines.push("", `Total: ${total}`);

  const { left } = run;
  lines.push("");
  const parts: string[] = [];
  if (left.running > 0) parts.push(`${left.running} ${run.live ? "running" : "were running"}`);
  if (left.pending > 0) parts.push(`${left.pending} pending`);
  if (left.failed > 0) parts.push(c.red(`${left.failed} failed`));
  if (left.skipped > 0) parts.push(c.yellow(`${left.skipped} skipped`));
  const count = `(${done} of ${run.order.length} done)`;
  lines.push(parts.length > 0 ? `Left: ${parts.join(", ")} ${count}` : `Left: nothing ${count}`);
  for (const command of left.next) lines.push(`  next: ${command}`);

  const others = run.otherRuns;
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
