import { formatDuration } from "../config/duration.js";
import type { TaskRunStatus, TokenUsage } from "../run/events.js";
import { type Colors, colors } from "./colors.js";
import { detailText, reasonText, SYMBOL, whyText } from "./lines.js";

/** What the end-of-run summary needs; the CLI builds it from the RunResult. */
export interface RunSummaryInput {
  runId: string;
  durationMs: number;
  integrationBranch: string;
  tasks: SummaryTask[];
  /** The base branch was fast-forwarded to the integration branch (`--land`). */
  landed?: boolean;
  baseBranch?: string;
  /** How the run ended; an interrupted run is resumed, not landed. */
  status?: "running" | "done" | "failed" | "interrupted" | "abandoned";
  /** The base branch has commits the run did not start from: it cannot fast-forward. */
  baseMoved?: boolean;
  /** The run's report.html, when it was written. */
  reportPath?: string;
}

export interface SummaryTask {
  id: string;
  status: TaskRunStatus;
  /** A FailureReason code for failures, or why a task was skipped. */
  reason?: string;
  detail?: string;
  logPath?: string;
  durationMs?: number;
  tokens?: TokenUsage;
  cost?: number;
  /** Why a pending task never started: `run interrupted`, `stopped after t02 failed`. */
  notStartedWhy?: string;
  /** Attempts made: a pending task with some was running when the run stopped. */
  attempts?: number;
  /** Times the quality loop sent the work back (qa findings, failed verifies). */
  loops?: number;
}

export interface SummaryOptions {
  color: boolean;
}

/**
 * The block printed after every run, TTY or not:
 *
 *     Summary: 3 done, 1 failed, 2 skipped (12m 15s)
 *       ✗ t02: timeout — no output for 30m (log: .lanes/runs/<id>/logs/t02/exec.1.log)
 *       ↷ t03 skipped: t02 failed
 *     Tokens: 12,345 in / 6,789 out, cost $0.42
 *     Integration branch: lanes/run/<id> — land it with: git merge --ff-only lanes/run/<id>
 *
 * The last line says what to do next: land (a plain merge when the base branch moved on, since
 * `--ff-only` would fail), or `lanes resume` after an interrupt.
 */
export function formatSummary(result: RunSummaryInput, options: SummaryOptions): string {
  const c = colors(options.color);
  const count = (status: TaskRunStatus) =>
    result.tasks.filter((task) => task.status === status).length;
  const parts = [c.green(`${count("done")} done`)];
  const looped = result.tasks.filter((task) => task.status === "done" && (task.loops ?? 0) > 0);
  if (looped.length > 0) {
    parts[0] += ` (${count("done") - looped.length} on the first pass, ${looped.length} after loops)`;
  }
  if (count("failed") > 0) parts.push(c.red(`${count("failed")} failed`));
  if (count("skipped") > 0) parts.push(c.yellow(`${count("skipped")} skipped`));
  if (count("running") > 0) parts.push(`${count("running")} still running`);
  const stopped = result.tasks.filter(
    (task) => task.status === "pending" && (task.attempts ?? 0) > 0,
  );
  if (stopped.length > 0) parts.push(`${stopped.length} stopped while running`);
  if (count("pending") > stopped.length)
    parts.push(`${count("pending") - stopped.length} not started`);
  const lines = [
    `${c.bold("Summary:")} ${parts.join(", ")} ${c.dim(`(${formatDuration(result.durationMs)})`)}`,
  ];

  for (const task of result.tasks) {
    if (task.status === "failed") {
      // A failed verify's detail is a headline of lines: its first here, the rest below.
      const lined = task.reason === "verify" && task.detail?.includes("\n");
      const why = whyText(task.reason, lined ? task.detail!.split("\n")[0] : task.detail, c);
      // A detail that names its log (a failed verify) is not followed by a second log path.
      const namesLog = task.detail !== undefined && /\blog: /.test(task.detail);
      const log =
        task.logPath === undefined || namesLog ? "" : ` ${c.dim(`(log: ${task.logPath})`)}`;
      lines.push(`  ${c.red(SYMBOL.failed)} ${task.id}${why ? `: ${why}` : ""}${log}`);
      // A failed verify's headline: the failing test's own lines, a few of them.
      if (lined) lines.push(...headlineLines(task.detail, c));
    }
  }
  for (const task of result.tasks) {
    if (task.status === "skipped") {
      const why = detailText(task.detail) ?? reasonText(task.reason);
      lines.push(`  ${c.yellow(SYMBOL.skipped)} ${task.id} skipped${why ? `: ${c.dim(why)}` : ""}`);
    } else if (task.status === "pending" || task.status === "running") {
      const label =
        task.status === "running"
          ? "still running"
          : (task.attempts ?? 0) > 0
            ? "stopped while running"
            : "not started";
      const why = task.notStartedWhy === undefined ? undefined : detailText(task.notStartedWhy);
      lines.push(`  ${c.dim(SYMBOL.pending)} ${task.id} ${label}${why ? `: ${c.dim(why)}` : ""}`);
    }
  }

  const usage = usageLine(result.tasks);
  if (usage !== undefined) lines.push(usage);

  lines.push(...nextSteps(result, count("done"), c));
  if (result.reportPath) lines.push(reportLine(result.reportPath, c));
  return `${lines.join("\n")}\n`;
}

/** The integration branch and what to do with it: land it, or resume the run first. */
/** The lines after the first of a verify failure's detail (its headline), indented. */
function headlineLines(detail: string | undefined, c: Colors): string[] {
  const rest = (detail ?? "").split("\n").slice(1, 7);
  return rest
    .map((line) => detailText(line))
    .filter((line): line is string => line !== undefined)
    .map((line) => `      ${c.dim(line)}`);
}

function nextSteps(result: RunSummaryInput, done: number, c: Colors): string[] {
  const branch = result.integrationBranch;
  const base = result.baseBranch ?? "the base branch";
  if (result.landed) return [`Integration branch: ${branch} — landed on ${base}`];
  if (result.status === "interrupted") {
    const merged = done === 0 ? "nothing merged yet" : `${done} merged so far`;
    return [
      `Integration branch: ${branch} — ${merged}`,
      `Interrupted: ${c.bold("lanes resume")} goes on where the run stopped`,
    ];
  }
  if (done === 0) return [`Integration branch: ${branch} — nothing merged`];
  if (result.baseMoved) {
    return [
      `Integration branch: ${branch} — ${base} has moved on since the run started, so land it with a merge: git merge ${branch}`,
    ];
  }
  return [`Integration branch: ${branch} — land it with: git merge --ff-only ${branch}`];
}

/** `Report: /repo/.lanes/runs/<id>/report.html`: the page to open for the timeline. */
function reportLine(file: string, c: Colors): string {
  return `${c.bold("Report:")} ${file}`;
}

/** `Tokens: 12,345 in / 6,789 out, cost $0.42`, when any task reported usage. */
function usageLine(tasks: SummaryTask[]): string | undefined {
  const withTokens = tasks.filter((task) => task.tokens !== undefined);
  const withCost = tasks.filter((task) => task.cost !== undefined);
  if (withTokens.length === 0 && withCost.length === 0) return undefined;
  const cost = `$${withCost.reduce((sum, task) => sum + task.cost!, 0).toFixed(2)}`;
  if (withTokens.length === 0) return `Cost: ${cost}`;
  const input = withTokens.reduce((sum, task) => sum + task.tokens!.input, 0);
  const output = withTokens.reduce((sum, task) => sum + task.tokens!.output, 0);
  const tokens = `Tokens: ${thousands(input)} in / ${thousands(output)} out`;
  return withCost.length === 0 ? tokens : `${tokens}, cost ${cost}`;
}

function thousands(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
