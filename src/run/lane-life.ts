/**
 * What makes a lane ready to work in, and what it holds while it runs (issue 12): the files it
 * gets from the main checkout (once, when its worktree is made), its block of ports (from the
 * start of an attempt to its end), its setup command (once per lane, before its first phase, in
 * its own process group under the task's signal and recorded in run.json like verify), and its
 * teardown when the lane is removed. Kept apart from the lane pool (worktrees) and the
 * orchestrator (decisions), so that each stays about one thing.
 */
import type { LaneSetting } from "../config/lane-setting.js";
import { prepareLaneFiles } from "../lane/files-prepare.js";
import { PortPool, portEnv } from "../lane/ports.js";
import { runLaneSetup, runLaneTeardown } from "../lane/setup.js";
import { laneCommandLogPath } from "../state/layout.js";
import type { AgentOutcome } from "./agent-attempt.js";
import { errorDetail } from "./landing.js";
import type { Ledger } from "./ledger.js";
import type { LiveGroups } from "./live-groups.js";
import type { PreparedRun } from "./prepare.js";
import type { TaskRuntime } from "./task-runtime.js";

/** How many of the setup log's last lines go into the task's failure detail. */
const TAIL_LINES = 10;

export class LaneLife {
  private readonly ports: PortPool;
  /** Notes told once per run, not once per lane (a missing .env is missing from every lane). */
  private readonly told = new Set<string>();

  constructor(
    private readonly prepared: PreparedRun,
    private readonly ledger: Ledger,
    private readonly groups: LiveGroups,
  ) {
    this.ports = new PortPool({ base: this.lane.portBase, size: this.lane.ports });
  }

  private get lane(): LaneSetting {
    return this.prepared.settings.lane;
  }

  /** A new worktree: the checkout's ignored files go in before anything runs there. */
  async filesInto(runtime: TaskRuntime, worktree: string): Promise<void> {
    const { record } = runtime;
    record.setupDone = undefined; // a new worktree has not been set up, whatever a dead run did
    const files = await prepareLaneFiles(this.prepared.laneFiles, worktree);
    record.keptOutOfCommits = files.unignored.length > 0 ? files.unignored : undefined;
    for (const note of files.notes) {
      if (this.told.has(note)) continue;
      this.told.add(note);
      this.ledger.emit({ type: "warning", message: `lane files: ${note}` });
    }
  }

  /**
   * Before the attempt's agent: the lane's ports, then its setup if it has not run yet. Returns
   * a failed or cancelled outcome when the task cannot go on, undefined when it can.
   */
  async ready(
    runtime: TaskRuntime,
    worktree: string,
    signal: AbortSignal,
  ): Promise<AgentOutcome | undefined> {
    const { record, id } = runtime;
    record.status = "running";
    record.startedAt ??= Date.now();
    try {
      const block = await this.ports.allocate(id);
      record.ports = block;
      runtime.laneEnv = portEnv(block, this.lane.setPort);
      this.ledger.save();
    } catch (error) {
      return {
        kind: "failed",
        failure: { reason: "setup", detail: errorDetail(error), retryable: true },
      };
    }
    if (this.lane.setup === undefined || record.setupDone) return undefined;
    const startedAt = Date.now();
    const logPath = laneCommandLogPath(this.ledger.dir, id, "setup");
    this.ledger.emit({ type: "lane_setup", taskId: id, logPath });
    const result = await runLaneSetup({
      command: this.lane.setup,
      lane: worktree,
      env: this.env(runtime, worktree, "setup"),
      logPath,
      timeoutMs: this.lane.setupTimeoutMs,
      graceMs: this.prepared.graceMs,
      signal,
      onSpawn: (pgid) => {
        this.groups.add(pgid);
        record.setup = { pgid, startedAt };
        this.ledger.save();
      },
    });
    if (record.setup) this.groups.delete(record.setup.pgid);
    record.setup = undefined;
    if (result.ok) {
      record.setupDone = true;
      this.ledger.save();
      return undefined;
    }
    this.ledger.save();
    if (result.aborted) return { kind: "cancelled" };
    const tail = result.tail.slice(-TAIL_LINES);
    const detail = tail.length > 0 ? `${result.message}:\n${tail.join("\n")}` : result.message;
    return { kind: "failed", failure: { reason: "setup", detail, retryable: false } };
  }

  /** The attempt is over: its ports go back to the pool for the next lane. */
  release(runtime: TaskRuntime): void {
    this.ports.release(runtime.id);
    runtime.record.ports = undefined;
    runtime.laneEnv = {};
  }

  /** The lane is about to be removed: its teardown, best effort, logged, never failing. */
  async teardown(runtime: TaskRuntime, worktree: string): Promise<void> {
    if (this.lane.teardown === undefined) return;
    const logPath = laneCommandLogPath(this.ledger.dir, runtime.id, "teardown");
    let group: number | undefined;
    const result = await runLaneTeardown({
      command: this.lane.teardown,
      lane: worktree,
      env: this.env(runtime, worktree, "teardown"),
      logPath,
      timeoutMs: this.lane.setupTimeoutMs,
      graceMs: this.prepared.graceMs,
      ...(runtime.controller ? { signal: runtime.controller.signal } : {}),
      onSpawn: (pgid) => {
        group = pgid;
        this.groups.add(pgid);
      },
    });
    this.groups.delete(group);
    if (!result.ok) {
      this.ledger.emit({
        type: "warning",
        message: `${runtime.id}: lane.teardown failed: ${result.message ?? "unknown"} (log: ${logPath})`,
      });
    }
  }

  private env(runtime: TaskRuntime, worktree: string, phase: string): Record<string, string> {
    return {
      LANES_RUN_ID: this.prepared.runId,
      LANES_TASK_ID: runtime.id,
      LANES_PHASE: phase,
      LANES_WORKTREE: worktree,
      LANES_BRANCH: runtime.record.branch,
      ...runtime.laneEnv,
    };
  }
}
