/**
 * The run's ledger: run.json (what a later `lanes resume` or `lanes status` reads) and the event
 * stream (events.ndjson, the reporters, API callers). Every change of a task's record goes
 * through here, so that what is saved and what is told stay in step.
 */
import { durationText } from "../config/duration.js";
import { taskBranchName } from "../names.js";
import { eventsPath, runDir, runStatePath } from "../state/layout.js";
import { procInfo } from "../state/proc.js";
import {
  emptyTaskState,
  type RunState,
  RunStateStore,
  type TaskState,
} from "../state/run-state.js";
import { EventLog } from "./event-log.js";
import type { FailureReason, LanesEvent } from "./events.js";
import type { RunOptions } from "./options.js";
import type { PreparedRun } from "./prepare.js";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event as its emitter writes it: the ledger adds the time and the run id. */
export type EventInput = DistributiveOmit<LanesEvent, "time" | "runId">;

export class Ledger {
  readonly dir: string;
  private readonly store: RunStateStore;
  private readonly events: EventLog;
  /**
   * Called when run.json cannot be written (after a warning event says why): the run is to stop
   * as interrupted, which `lanes resume` continues from the last record that was written.
   */
  onSaveFailure: (() => void) | undefined;

  constructor(
    private readonly runId: string,
    repoRoot: string,
    state: RunState,
    onEvent: RunOptions["onEvent"],
  ) {
    this.dir = runDir(repoRoot, runId);
    this.store = new RunStateStore(runStatePath(repoRoot, runId), state, (why) => {
      this.emit({
        type: "warning",
        message: `${why}: stopping the run as interrupted; free disk space (or fix the folder's permissions), then \`lanes resume\` continues it`,
      });
      this.onSaveFailure?.();
    });
    this.events = new EventLog(eventsPath(this.dir), onEvent);
  }

  get state(): RunState {
    return this.store.state;
  }

  task(id: string): TaskState {
    return this.state.tasks[id]!;
  }

  emit(event: EventInput): void {
    this.events.emit({ ...event, time: Date.now(), runId: this.runId } as LanesEvent);
  }

  /** Saves in the background: writes coalesce, and `close()` waits for them and reports failures. */
  save(): void {
    void this.store.save();
  }

  /** Saves and waits: before a step that must find the record on disk (a process started). */
  saveNow(): Promise<void> {
    return this.store.save();
  }

  /** A task's last word in this run: recorded, saved and told. */
  finishTask(
    id: string,
    status: "done" | "failed" | "skipped",
    reason: FailureReason | undefined,
    detail: string | undefined,
  ): void {
    const record = this.task(id);
    const now = Date.now();
    Object.assign(record, {
      status,
      reason,
      detail,
      finishedAt: now,
      durationMs: record.startedAt ? now - record.startedAt : undefined,
    });
    this.emit({
      type: "task_finished",
      taskId: id,
      status,
      reason,
      detail,
      durationMs: record.durationMs ?? 0,
      logPath: record.logPath,
    });
    this.save();
  }

  /** Why run.json's last write failed; undefined when it is saved. */
  get unsaved(): string | undefined {
    return this.store.unsaved;
  }

  /** Waits for run.json's writes and closes the event log. */
  async close(): Promise<void> {
    await this.store.settled();
    await this.events.close();
  }
}

/** The state a new run starts with: every planned task pending on its lane branch. */
export function newRunState(
  prepared: PreparedRun,
  options: RunOptions,
  integrationBranch: string,
  startedAt: number,
): RunState {
  return {
    version: 1,
    id: prepared.runId,
    status: "running",
    pid: process.pid,
    startedAt,
    finishedAt: undefined,
    repoRoot: prepared.repoRoot,
    baseCommit: prepared.baseCommit,
    baseBranch: prepared.baseBranch,
    integrationBranch,
    worktreeRoot: prepared.worktreeRoot,
    options: {
      mode: prepared.mode,
      concurrency: prepared.settings.concurrency,
      retries: prepared.settings.retries,
      timeout: durationText(prepared.settings.timeoutMs),
      batches: prepared.batches,
      land: options.land ?? false,
      ...(prepared.settings.queue?.url ? { queue: prepared.settings.queue } : {}),
      ...(prepared.github
        ? {
            pr: { off: false, task: true, run: "run" as const }[prepared.github.pr],
            draft: prepared.github.draft,
            comment: prepared.github.comment,
          }
        : {}),
    },
    order: prepared.plan.tasks.map((task) => task.id),
    tasks: Object.fromEntries(
      prepared.plan.tasks.map((task) => {
        const loaded = prepared.tasks.get(task.id);
        const record = emptyTaskState(taskBranchName(loaded ?? task));
        // An issue's task records its number, for `lanes status` and its pull request.
        if (loaded?.issue) record.issue = loaded.issue.number;
        return [task.id, record];
      }),
    ),
  };
}

/** Marks the state as this process's running run (a resumed run is taken over). */
export function claimRunState(state: RunState): void {
  Object.assign(state, {
    status: "running",
    pid: process.pid,
    pidStartTicks: procInfo(process.pid)?.startTicks,
    finishedAt: undefined,
  });
}
