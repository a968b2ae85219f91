// A task's log files in a run folder (logs/<task>/<phase>.<attempt>.log), and which one to show:
// the reading side of the layout the orchestrator writes.
import { readdir, stat } from "node:fs/promises";
import { parseLogFileName, taskLogDir } from "../state/layout.js";

export interface LogFile {
  phase: string;
  attempt: number;
  file: string;
  mtimeMs: number;
}

/** Which log of a task: a phase (default: the agent's, exec) and an attempt (default: the latest). */
export interface LogWanted {
  phase?: string | undefined;
  attempt?: number | undefined;
}

/** `exec.2`: how a log is named in messages. */
export function logLabel(log: Pick<LogFile, "phase" | "attempt">): string {
  return `${log.phase}.${log.attempt}`;
}

/** The task's logs in a run folder, in attempt order. */
export async function logFiles(runDir: string, taskId: string): Promise<LogFile[]> {
  const dir = taskLogDir(runDir, taskId);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const files: LogFile[] = [];
  for (const name of names) {
    const parsed = parseLogFileName(name);
    if (!parsed) continue;
    const file = `${dir}/${name}`;
    const mtimeMs = await stat(file).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    files.push({ ...parsed, file, mtimeMs });
  }
  return files.sort((a, b) => a.attempt - b.attempt || a.mtimeMs - b.mtimeMs);
}

/**
 * The log to show: the phase asked for, else the agent's (exec) when there is one, else the
 * newest; the attempt asked for, else the latest of that phase.
 */
export function pickLog(files: LogFile[], wanted: LogWanted): LogFile | undefined {
  let candidates = files;
  if (wanted.phase !== undefined) candidates = files.filter((f) => f.phase === wanted.phase);
  else if (wanted.attempt !== undefined) {
    const ofAttempt = files.filter((f) => f.attempt === wanted.attempt);
    const exec = ofAttempt.filter((f) => f.phase === "exec");
    candidates = exec.length > 0 ? exec : ofAttempt;
  } else {
    const exec = files.filter((f) => f.phase === "exec");
    if (exec.length > 0) candidates = exec;
    else {
      const newest = [...files].sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
      candidates = newest ? files.filter((f) => f.phase === newest.phase) : [];
    }
  }
  if (wanted.attempt !== undefined)
    candidates = candidates.filter((f) => f.attempt === wanted.attempt);
  return candidates.at(-1);
}

/** The task's logs other than the one shown, told apart by file (lists are read afresh). */
export function otherLogs(files: LogFile[], shown: Pick<LogFile, "file">): string[] {
  return files.filter((f) => f.file !== shown.file).map(logLabel);
}
