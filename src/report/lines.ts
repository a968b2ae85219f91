import { formatDuration } from "../config/duration.js";
import { integrationBranchName } from "../names.js";
import type { FailureReason, LanesEvent } from "../run/events.js";
import type { Colors } from "./colors.js";
import type { RunProgress } from "./progress.js";
import { oneLine, plural } from "./text.js";

/**
 * The wording of one-line event messages, shared by the plain reporter, the permanent lines of
 * the live view and the summary, so that a task's failure reads the same everywhere.
 */

export const SYMBOL = {
  started: "●",
  done: "✓",
  failed: "✗",
  skipped: "↷",
  retry: "↻",
  merged: "⇣",
  landing: "⇢",
  running: "⏳",
  pending: "·",
  stopping: "■",
  heartbeat: "…",
} as const;

/** Details longer than this are cut in one-line output; the log file has the rest. */
const MAX_DETAIL = 300;

/** `no_changes` -> `no changes`: reasons are stable codes in JSON, words on a terminal. */
export function reasonText(reason: FailureReason | string | undefined): string | undefined {
  return reason?.replace(/_/g, " ");
}

export function detailText(detail: string | undefined): string | undefined {
  if (detail === undefined) return undefined;
  const line = oneLine(detail);
  if (line === "") return undefined;
  return line.length > MAX_DETAIL ? `${line.slice(0, MAX_DETAIL - 1)}…` : line;
}

/** `timeout — agent ran longer than 30m`, `timeout`, or the detail alone. */
export function whyText(
  reason: FailureReason | string | undefined,
  detail: string | undefined,
  c: Colors,
): string | undefined {
  const words = reasonText(reason);
  const more = detailText(detail);
  if (words && more) return `${words} ${c.dim(`— ${more}`)}`;
  return words ?? (more === undefined ? undefined : c.dim(more));
}

/**
 * The line an event prints in plain output, or undefined for events that print nothing there
 * (lane setup, raw output, activity, usage, agent exits, and the end of the run, which the
 * summary covers).
 */
export function eventLine(event: LanesEvent, progress: RunProgress, c: Colors): string | undefined {
  switch (event.type) {
    case "run_started": {
      const commit = event.baseCommit.slice(0, 7);
      const base = event.baseBranch === undefined ? commit : `${event.baseBranch}@${commit}`;
      return `lanes run ${event.runId}: ${plural(event.tasks.length, "task")}, concurrency ${event.concurrency}, base ${base}`;
    }
    case "task_started": {
      const attempt = event.attempt > 1 ? ` (attempt ${event.attempt})` : "";
      const where = event.worker ? ` on ${event.worker}` : "";
      return `${SYMBOL.started} ${event.taskId}: ${event.phase} started${attempt}${where}`;
    }
    case "attempt_failed": {
      if (event.retryInMs === undefined) return undefined; // task_finished tells the rest
      if (event.retryInMs === 0 && event.reason === "verify") return undefined; // task_loop tells it
      const why = whyText(event.reason, event.detail, c);
      return `${c.yellow(SYMBOL.retry)} ${event.taskId} retry in ${formatDuration(event.retryInMs)}: ${why}`;
    }
    case "task_step":
      // Committing and merging take a moment and `merged` follows; a verify may take minutes.
      if (event.step === "resolving")
        return `${SYMBOL.landing} ${event.taskId} no longer merges: the agent resolves the conflict`;
      return event.step === "verifying" ? `${SYMBOL.landing} ${event.taskId} verifying` : undefined;
    case "qa_verdict": {
      const findings = detailText(event.findings.join("; "));
      const verdict = event.verdict === "none" ? "no verdict" : reasonText(event.verdict);
      return `${SYMBOL.started} ${event.taskId}: qa ${event.loop}/${event.of} ${verdict}${findings ? ` ${c.dim(`— ${findings}`)}` : ""}`;
    }
    case "task_loop": {
      const back = event.kind === "qa" ? "qa's findings" : "the failing tests";
      return `${c.yellow(SYMBOL.retry)} ${event.taskId} back to exec with ${back} (${event.kind} loop ${event.loop}/${event.of}): ${c.dim(detailText(event.why) ?? "")}`;
    }
    case "task_merged": {
      const branch = progress.integrationBranch ?? integrationBranchName(event.runId);
      return `${SYMBOL.merged} ${event.taskId} merged into ${branch}`;
    }
    case "task_finished":
      return finishedLine(event, c);
    case "concurrency_changed":
      return `concurrency ${event.from} -> ${event.to} (${event.why})`;
    case "run_stopping":
      return `${c.yellow(SYMBOL.stopping)} stopping: ${event.why}`;
    case "warning":
      return `${c.yellow("!")} ${event.message}`;
    case "processes_ended":
      return `${c.yellow("!")} ${endedText(event)}`;
    case "lane_setup":
      return `${SYMBOL.started} ${event.taskId}: setup started`;
    case "files_overlap": {
      const shown = event.files.slice(0, 3).join(", ");
      const more = event.files.length > 3 ? ` and ${event.files.length - 3} more` : "";
      return `${c.yellow("!")} ${event.a} and ${event.b} both changed ${shown}${more}: the later merge may conflict`;
    }
    case "pull_request":
      return `${SYMBOL.merged} ${event.taskId ?? "the run"}: pull request #${event.number} ${event.created ? "opened" : "updated"}: ${event.url}`;
    default:
      return undefined;
  }
}

/** `t1: ended 2 processes its agent left running: 4242 sleep 600, 4250 node daemon.js`. */
export function endedText(event: Extract<LanesEvent, { type: "processes_ended" }>): string {
  const whose =
    event.source === "run" ? "the run" : event.source === "verify" ? "its verify" : "its agent";
  const who = event.taskId === undefined ? "" : `${event.taskId}: `;
  const list = event.processes.map((p) => `${p.pid} ${p.command}`.trim()).join(", ");
  return detailText(
    `${who}ended ${event.processes.length} ${event.processes.length === 1 ? "process" : "processes"} ${whose} left running: ${list}`,
  )!;
}

function finishedLine(event: Extract<LanesEvent, { type: "task_finished" }>, c: Colors): string {
  const took = formatDuration(event.durationMs);
  switch (event.status) {
    case "done":
      return `${c.green(SYMBOL.done)} ${event.taskId} done ${c.dim(`(${took})`)}`;
    case "failed": {
      const why = whyText(event.reason, event.detail, c);
      return `${c.red(SYMBOL.failed)} ${event.taskId} failed ${c.dim(`(${took})`)}${why ? `: ${why}` : ""}`;
    }
    case "skipped": {
      const why = detailText(event.detail) ?? reasonText(event.reason);
      return `${c.yellow(SYMBOL.skipped)} ${event.taskId} skipped${why ? `: ${why}` : ""}`;
    }
  }
}

/** `3 of 10 done, 1 failed, 1 skipped`: how far the run is, failures only when there are some. */
export function doneText(progress: RunProgress): string {
  let text = `${progress.count("done")} of ${progress.tasks.size} done`;
  if (progress.count("failed") > 0) text += `, ${progress.count("failed")} failed`;
  if (progress.count("skipped") > 0) text += `, ${progress.count("skipped")} skipped`;
  return text;
}

/** Seconds and up: `3m 2s`. */
function since(from: number | undefined, now: number): string {
  return formatDuration(Math.max(0, now - (from ?? now)));
}

/**
 * Proof of life when nothing happened, with where each task is:
 * `… 1 of 6 done; 2 agents running (t01 3m 2s, t04 1m 10s); 1 landing (t02 verifying 20s); 2 pending`
 */
export function heartbeatLine(progress: RunProgress, now: number, c: Colors): string {
  const parts = [doneText(progress)];
  const agents = progress.agents().map((task) => `${task.id} ${since(task.startedAt, now)}`);
  parts.push(
    `${plural(agents.length, "agent")} running${agents.length > 0 ? ` ${c.dim(`(${agents.join(", ")})`)}` : ""}`,
  );
  const landing = progress
    .landing()
    .map((task) => `${task.id} ${task.step} ${since(task.stepAt, now)}`);
  if (landing.length > 0)
    parts.push(`${landing.length} landing ${c.dim(`(${landing.join(", ")})`)}`);
  const retrying = progress
    .retrying()
    .map((task) => `${task.id} in ${formatDuration(Math.max(0, (task.retryAt ?? now) - now))}`);
  if (retrying.length > 0) {
    parts.push(`${retrying.length} waiting to retry ${c.dim(`(${retrying.join(", ")})`)}`);
  }
  const pending = progress.count("pending");
  if (pending > 0) parts.push(`${pending} pending`);
  return `${SYMBOL.heartbeat} ${parts.join("; ")}`;
}
