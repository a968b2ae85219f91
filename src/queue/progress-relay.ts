/**
 * What a worker reports while it runs an attempt, told by the coordinator as if the lane were
 * local: the worker's events go into the run's ledger under the coordinator's task (with the
 * worker's name on `task_started`, and no process group, which lives on another machine), usage
 * adds to the task's record, and output lines go into the run's own log files, so that the live
 * view, `--json`, `lanes logs` and the report read a queued lane as they read a local one.
 */
import { appendFile, mkdir } from "node:fs/promises";
import path from "node:path";
import type { EventInput, Ledger } from "../run/ledger.js";
import type { TaskRuntime } from "../run/task-runtime.js";
import { taskLogDir } from "../state/layout.js";
import type { Progress } from "./contract.js";

/** Events a worker's ledger tells that the coordinator tells again; the rest are the worker's own. */
const RELAYED = new Set([
  "task_started",
  "task_activity",
  "task_usage",
  "agent_exited",
  "qa_verdict",
  "task_loop",
  "lane_setup",
  // The worker's own landing step (verifying), before the commit comes here to be merged.
  "task_step",
  "processes_ended",
  "warning",
]);

export class ProgressRelay {
  /** The task's usage before this attempt: the worker counts its own from zero. */
  private readonly tokensBefore;
  private readonly costBefore;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ledger: Ledger,
    private readonly runtime: TaskRuntime,
    private readonly streamOutput: boolean,
    private readonly onUsage: () => void,
  ) {
    this.tokensBefore = runtime.record.tokens;
    this.costBefore = runtime.record.cost;
  }

  /** The name of the worker that last reported, for the attempt's result and messages. */
  worker: string | undefined;

  tell(progress: Progress): void {
    this.worker = progress.worker;
    if (progress.kind === "output") {
      this.appendLog(progress.log, progress.lines);
      if (this.streamOutput)
        for (const line of progress.lines)
          this.ledger.emit({ type: "task_output", taskId: this.runtime.id, line });
      return;
    }
    const event = progress.event as Record<string, unknown> & { type: string };
    if (!RELAYED.has(event.type)) return;
    const { time: _time, runId: _runId, ...rest } = event;
    const { record, id } = this.runtime;
    if (event.type === "warning") {
      this.ledger.emit({
        type: "warning",
        message: `${progress.worker}: ${String(event.message)}`,
      });
      return;
    }
    const told = { ...rest, taskId: id } as EventInput & Record<string, unknown>;
    if (event.type === "task_started") {
      const logPath = this.localLog(`${String(event.phase)}.${Number(event.attempt)}`);
      Object.assign(told, { pgid: undefined, logPath, worker: progress.worker });
      record.logPath = logPath;
    }
    if (event.type === "lane_setup") told.logPath = this.localLog("setup");
    if (event.type === "task_usage") {
      const tokens = event.tokens as { input: number; output: number };
      record.tokens = {
        input: (this.tokensBefore?.input ?? 0) + tokens.input,
        output: (this.tokensBefore?.output ?? 0) + tokens.output,
      };
      if (typeof event.cost === "number") record.cost = (this.costBefore ?? 0) + event.cost;
      Object.assign(told, { tokens: record.tokens, cost: record.cost });
    }
    this.ledger.emit(told);
    if (event.type === "task_usage") this.onUsage();
    this.ledger.save();
  }

  /** The run's log file for `<phase>.<run>` (or `setup`), as a local lane's would be. */
  localLog(name: string): string {
    return path.join(taskLogDir(this.ledger.dir, this.runtime.id), `${name}.log`);
  }

  /** Appends in order; a full disk loses log lines, never the run. */
  appendLog(name: string, lines: string[]): Promise<unknown> {
    const file = this.localLog(name);
    this.writes = this.writes
      .then(() => mkdir(path.dirname(file), { recursive: true }))
      .then(() => appendFile(file, lines.map((line) => `${line}\n`).join("")))
      .catch(() => {});
    return this.writes;
  }

  /** Waits for the log lines told so far to be written. */
  settled(): Promise<unknown> {
    return this.writes;
  }
}
