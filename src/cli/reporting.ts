import { loadSettings } from "../config/load.js";
import { findRepoRoot } from "../git/repo.js";
import { Git } from "../git/runner.js";
import { combine } from "../report/compose.js";
import { JsonReporter } from "../report/json.js";
import { LiveReporter } from "../report/live.js";
import { PlainReporter } from "../report/plain.js";
import type { Reporter } from "../report/reporter.js";
import { TICK_MS } from "../report/reporter.js";
import { StreamReporter } from "../report/stream.js";
import type { RunSummaryInput } from "../report/summary.js";
import type { RunResult } from "../run/result.js";
import { useColor } from "./output.js";

export interface ReportingChoice {
  json: boolean;
  stream: boolean;
  /** Silence after which CI output prints a heartbeat line: the `heartbeat` setting. */
  heartbeatMs?: number;
}

/**
 * The `heartbeat` setting in milliseconds, read by the CLI before the run starts, since the
 * reporters start before `run()` loads the settings. The one place it is read: settings are
 * layered as for the run (user, project, LANES_HEARTBEAT) and were validated by the schema.
 */
export async function heartbeatSetting(cwd: string): Promise<number> {
  const { settings } = await loadSettings({ repoRoot: await findRepoRoot(cwd) });
  return settings.heartbeatMs;
}

/** What the CLI prints at the first Ctrl-C. */
export const STOPPING_NOTICE =
  "lanes: stopping: ending agents and saving state (Ctrl-C again to exit at once)";

/** Whether the user sees the live view: a terminal, and not CI. */
export function isInteractive(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env.CI;
}

/**
 * Picks the reporter for where output goes: NDJSON for `--json`, the live view in a terminal,
 * one plain line per event elsewhere (CI, pipes); `--stream` adds the agents' prefixed output.
 */
export function startReporting(choice: ReportingChoice): {
  reporter: Reporter;
  stop: () => void;
  wantsOutput: boolean;
  /** Prints a line of the CLI's own (the Ctrl-C notice) without breaking the live view. */
  notice: (line: string) => void;
} {
  const out = process.stdout;
  const now = () => Date.now();
  const color = useColor(out);
  let reporter: Reporter;
  let wantsOutput = choice.stream;
  let notice: (line: string) => void = (line) => process.stderr.write(`\n${line}\n`);
  if (choice.json) reporter = new JsonReporter(out);
  else if (isInteractive(out)) {
    const live = new LiveReporter({
      out,
      now,
      color,
      stream: choice.stream,
      columns: () => out.columns ?? 80,
      rows: () => out.rows ?? 24,
    });
    reporter = live;
    // Written by the live view above its region: a write of its own would shift the region.
    notice = (line) => live.notice(line);
    wantsOutput = true; // the live view shows each task's last line of output
  } else {
    const plain = new PlainReporter({
      out,
      now,
      color,
      ...(choice.heartbeatMs ? { heartbeatMs: choice.heartbeatMs } : {}),
    });
    reporter = choice.stream ? combine(plain, new StreamReporter({ out, color })) : plain;
  }
  const timer = setInterval(() => reporter.tick?.(Date.now()), TICK_MS);
  timer.unref();
  return {
    reporter,
    wantsOutput,
    notice,
    stop: () => {
      clearInterval(timer);
      reporter.close();
    },
  };
}

/**
 * Whether the base branch has moved on from where the run started, so that the integration
 * branch can no longer be fast-forwarded onto it (the base is not its ancestor any more).
 */
async function baseMoved(result: RunResult, cwd: string): Promise<boolean> {
  if (!result.baseBranch || result.landed) return false;
  const check = await new Git(cwd).run(
    [
      "merge-base",
      "--is-ancestor",
      `refs/heads/${result.baseBranch}`,
      `refs/heads/${result.integrationBranch}`,
    ],
    { allowFail: true },
  );
  return check.exitCode === 1;
}

export async function summaryInput(result: RunResult, cwd: string): Promise<RunSummaryInput> {
  return {
    runId: result.runId,
    durationMs: result.durationMs,
    integrationBranch: result.integrationBranch,
    landed: result.landed,
    status: result.status,
    baseMoved: await baseMoved(result, cwd),
    ...(result.baseBranch ? { baseBranch: result.baseBranch } : {}),
    tasks: result.tasks.map((task) => ({
      id: task.id,
      status: task.status,
      ...(task.reason ? { reason: task.reason } : {}),
      ...(task.detail ? { detail: task.detail } : {}),
      ...(task.logPath ? { logPath: task.logPath } : {}),
      ...(task.durationMs !== undefined ? { durationMs: task.durationMs } : {}),
      ...(task.tokens ? { tokens: task.tokens } : {}),
      ...(task.cost !== undefined ? { cost: task.cost } : {}),
      ...(task.notStartedWhy ? { notStartedWhy: task.notStartedWhy } : {}),
      attempts: task.attempts,
      loops: task.loops,
    })),
  };
}
