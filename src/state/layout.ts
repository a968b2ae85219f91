/**
 * The run folder's layout, in one place: where runs live, and inside a run its state, its event
 * log, its prompts and its logs (`logs/<task>/<phase>.<attempt>.log`, built and parsed here), and
 * which run statuses `lanes resume` can continue.
 */
import path from "node:path";

/** Every run's folder, relative to the repository root. */
export const RUNS_DIR = path.join(".lanes", "runs");

/** Statuses of a dead run that `lanes resume` can still continue. */
export const RESUMABLE_STATUSES: ReadonlySet<string> = new Set([
  "running",
  "interrupted",
  "failed",
]);

export function runsDir(repoRoot: string): string {
  return path.join(repoRoot, RUNS_DIR);
}

export function runDir(repoRoot: string, runId: string): string {
  return path.join(repoRoot, RUNS_DIR, runId);
}

export function runStatePath(repoRoot: string, runId: string): string {
  return path.join(runDir(repoRoot, runId), "run.json");
}

/** The run's event log, one JSON event a line. */
export function eventsPath(runDirectory: string): string {
  return path.join(runDirectory, "events.ndjson");
}

/** The prompt an agent attempt was given, kept for the user to read. */
export function promptPath(
  runDirectory: string,
  taskId: string,
  phase: string,
  attempt: number,
): string {
  return path.join(runDirectory, "prompts", `${taskId}.${phase}.${attempt}.md`);
}

/** The folder of a task's logs in a run. */
export function taskLogDir(runDirectory: string, taskId: string): string {
  return path.join(runDirectory, "logs", taskId);
}

/** The log of one phase attempt (or of `verify`) of a task. */
export function logPath(
  runDirectory: string,
  taskId: string,
  phase: string,
  attempt: number,
): string {
  return path.join(taskLogDir(runDirectory, taskId), logFileName(phase, attempt));
}

/** A lane's setup or teardown log (`lane.setup`, `lane.teardown`): once per lane, no attempt. */
export function laneCommandLogPath(
  runDirectory: string,
  taskId: string,
  which: "setup" | "teardown",
): string {
  return path.join(taskLogDir(runDirectory, taskId), `${which}.log`);
}

export function logFileName(phase: string, attempt: number): string {
  return `${phase}.${attempt}.log`;
}

/** The phase and attempt a log file's name says, or undefined for a file that is not a log. */
export function parseLogFileName(name: string): { phase: string; attempt: number } | undefined {
  const match = /^([a-z][a-z0-9_-]*)\.(\d+)\.log$/.exec(name);
  return match ? { phase: match[1]!, attempt: Number(match[2]) } : undefined;
}

/** A task's quality-loop files in a run: the spec's plan, qa's verdict, the failing tests. */
export function qualityDir(runDirectory: string, taskId: string): string {
  return path.join(runDirectory, "quality", taskId);
}

export function planPath(runDirectory: string, taskId: string): string {
  return path.join(qualityDir(runDirectory, taskId), "plan.md");
}

/** Where one qa run writes its verdict (`LANES_VERDICT_FILE`), numbered so none is read twice. */
export function verdictPath(runDirectory: string, taskId: string, run: number): string {
  return path.join(qualityDir(runDirectory, taskId), `verdict.${run}.json`);
}

/** A failed verify's failing tests, fed to the next exec prompt as {{verify_output}}. */
export function verifyOutputPath(runDirectory: string, taskId: string, loop: number): string {
  return path.join(runDirectory, "prompts", `${taskId}.verify-output.${loop}.txt`);
}
