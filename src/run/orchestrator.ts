/**
 * Wires one run together: the scheduler decides, the orchestrator acts on its decisions through
 * the lane pool (worktrees), the agent attempt (prompt, process, verdict) and landing (commit,
 * verify, record, merge), and the ledger records every change in run.json and the event stream.
 * Each task has one runtime record (task-runtime.ts); its status lives in run.json's record.
 */
import { integrationBranchName } from "../names.js";
import { Scheduler } from "../scheduler/scheduler.js";
import type { Decision } from "../scheduler/types.js";
import type { RunState } from "../state/run-state.js";
import { type AgentOutcome, runAgentAttempt } from "./agent-attempt.js";
import type { AttemptFailure } from "./attempt.js";
import { budgetSpent } from "./budget.js";
import type { FailureReason } from "./events.js";
import { errorDetail, land } from "./landing.js";
import { type Integration, LanePool } from "./lane-pool.js";
import { claimRunState, Ledger, newRunState } from "./ledger.js";
import { LiveGroups } from "./live-groups.js";
import type { RunOptions } from "./options.js";
import type { PreparedRun } from "./prepare.js";
import type { RunResult } from "./result.js";
import { backoffMs, closeRun, openRun } from "./run-ends.js";
import { recordFailed } from "./task-records.js";
import { TaskRuntime } from "./task-runtime.js";
import { Throttle } from "./throttle.js";

export class Orchestrator {
  private readonly scheduler: Scheduler;
  private readonly ledger: Ledger;
  private readonly integration: Integration;
  private readonly lanes: LanePool;
  private readonly groups = new LiveGroups();
  private readonly throttle: Throttle;
  private readonly runtimes = new Map<string, TaskRuntime>();
  /** Highest priority first: the order in which lanes are prepared ahead. */
  private readonly byPriority: TaskRuntime[];
  /** Attempts and landings in flight, and other work the run must wait for before it ends. */
  private inflight = 0;
  private stopping: string | undefined;
  private settle: (() => void) | undefined;
  private readonly startedAt = Date.now();

  /** With `resumeFrom`, continues that run: its finished tasks stay finished, the rest run. */
  constructor(
    private readonly prepared: PreparedRun,
    private readonly options: RunOptions,
    private readonly resumeFrom?: RunState,
  ) {
    const { plan, runId, repoRoot } = prepared;
    this.integration = { branch: integrationBranchName(runId), head: prepared.baseCommit };
    const random = options.random ?? Math.random;
    const state =
      resumeFrom ?? newRunState(prepared, options, this.integration.branch, this.startedAt);
    const toRun = plan.tasks.filter((task) => state.tasks[task.id]?.status === "pending");
    const scheduled = new Set(toRun.map((task) => task.id));
    this.scheduler = new Scheduler(
      toRun.map((task) => ({
        id: task.id,
        dependsOn: task.depends_on.filter((dep) => scheduled.has(dep)),
        priority: task.priority,
      })),
      {
        concurrency: prepared.settings.concurrency,
        mode: prepared.mode,
        retries: prepared.settings.retries,
        backoffMs: (attempt) => backoffMs(attempt, random),
        ...(prepared.batches ? { batches: prepared.batches } : {}),
      },
    );
    claimRunState(state);
    this.throttle = new Throttle(this.scheduler.concurrency);
    this.ledger = new Ledger(runId, repoRoot, state, options.onEvent);
    this.lanes = new LanePool(prepared, this.ledger, this.integration);
    for (const id of state.order) {
      const task = prepared.tasks.get(id);
      if (task)
        this.runtimes.set(id, new TaskRuntime(task, state.tasks[id]!, state.tasks[id]!.attempts));
    }
    this.byPriority = [...plan.tasks]
      .sort((a, b) => b.priority - a.priority)
      .flatMap((task) => this.runtimes.get(task.id) ?? []);
  }

  private get state(): RunState {
    return this.ledger.state;
  }

  private runtime(id: string): TaskRuntime {
    return this.runtimes.get(id)!;
  }

  async execute(): Promise<RunResult> {
    const { prepared, ledger } = this;
    await openRun(prepared, ledger, this.integration, this.resumeFrom !== undefined);
    const onAbort = () => this.stop("interrupted", true);
    this.options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const done = new Promise<void>((resolve) => {
        this.settle = resolve;
      });
      this.apply(this.scheduler.poll());
      this.checkSettled();
      await done;
    } finally {
      this.options.signal?.removeEventListener("abort", onAbort);
    }
    try {
      return await this.finish();
    } finally {
      this.groups.dispose();
    }
  }

  /** Acts on the scheduler's decisions. Never throws: failures become task failures. */
  private apply(decisions: Decision[]): void {
    for (const decision of decisions) {
      switch (decision.type) {
        case "start": {
          const runtime = this.runtime(decision.id);
          const after = decision.after === undefined ? undefined : this.runtime(decision.after);
          // A resumed run numbers attempts on from the dead run's, so no log is overwritten.
          this.track(this.attempt(runtime, runtime.attemptsBefore + decision.attempt, after));
          break;
        }
        case "retry_later": {
          const runtime = this.runtime(decision.id);
          runtime.retryTimer = setTimeout(
            () => {
              runtime.retryTimer = undefined;
              if (!this.stopping) this.apply(this.scheduler.retryDue(decision.id));
              this.checkSettled();
            },
            Math.max(decision.delayMs, runtime.retryNotBefore),
          );
          break;
        }
        case "skip":
          this.ledger.finishTask(decision.id, "skipped", "dependency", decision.because);
          break;
        case "stop":
          this.stop(decision.why, decision.cancelRunning);
          break;
      }
    }
    if (!this.stopping && this.prepared.mode !== "chain") {
      // Not in chain mode, where a lane starts from the previous task's work.
      for (const creation of this.lanes.prepareAhead(this.byPriority, this.scheduler.concurrency))
        this.track(creation.then(() => undefined));
    }
  }

  /** No new starts; with `cancelRunning`, end what every task runs (fail-fast, Ctrl-C). */
  private stop(why: string, cancelRunning: boolean): void {
    if (!this.stopping) {
      this.stopping = why;
      this.scheduler.stop(why);
      this.ledger.emit({ type: "run_stopping", why });
    }
    for (const runtime of this.runtimes.values()) {
      clearTimeout(runtime.retryTimer);
      runtime.retryTimer = undefined;
      if (cancelRunning) runtime.abort();
    }
    this.checkSettled();
  }

  private track(work: Promise<void>): void {
    this.inflight++;
    work
      .catch((error) => {
        // A bug or an I/O failure outside any task: stop cleanly rather than hang.
        this.stop(`internal error: ${(error as Error).message}`, true);
      })
      .finally(() => {
        this.inflight--;
        this.checkSettled();
      });
  }

  private checkSettled(): void {
    if (this.inflight > 0) return;
    for (const runtime of this.runtimes.values()) if (runtime.retryTimer) return;
    if (this.stopping || this.scheduler.isFinished) this.settle?.();
  }

  /** One attempt: lane, agent, then landing; the task's one controller covers all of it. */
  private async attempt(
    runtime: TaskRuntime,
    attempt: number,
    after: TaskRuntime | undefined,
  ): Promise<void> {
    const { id } = runtime;
    const signal = runtime.beginAttempt();
    try {
      let outcome: AgentOutcome;
      try {
        const lane = await this.lanes.ensure(runtime, after);
        outcome = await runAgentAttempt(
          {
            prepared: this.prepared,
            options: this.options,
            ledger: this.ledger,
            groups: this.groups,
            hooks: {
              onUsage: () => this.checkBudget(),
              onRateLimited: () =>
                this.adjustConcurrency(this.throttle.rateLimited(Date.now()), "rate limited"),
              stopping: () => this.stopping !== undefined,
            },
          },
          runtime,
          attempt,
          lane,
          signal,
        );
      } catch (error) {
        outcome = {
          kind: "failed",
          failure: { reason: "git", detail: errorDetail(error), retryable: false },
        };
      }
      if (outcome.kind === "cancelled") return this.cancelled(runtime);
      if (outcome.kind === "failed") {
        const { failure } = outcome;
        return this.attemptFailed(runtime, attempt, failure, () =>
          this.scheduler.agentExited(id, { ok: false, retryable: failure.retryable }),
        );
      }
      this.apply(this.scheduler.agentExited(id, { ok: true, retryable: false }));
      this.adjustConcurrency(this.throttle.succeeded(Date.now()), "agents succeed again");
      const landed = await land(
        {
          prepared: this.prepared,
          ledger: this.ledger,
          groups: this.groups,
          integration: this.integration,
        },
        runtime,
        attempt,
        signal,
      );
      if (landed.kind === "cancelled") return this.cancelled(runtime);
      if (landed.kind === "failed") {
        const { failure } = landed;
        return this.attemptFailed(runtime, attempt, failure, () =>
          this.scheduler.completed(id, false, failure.retryable),
        );
      }
      this.ledger.finishTask(id, "done", undefined, undefined);
      // Back to the pool first, so that the lanes of the tasks this frees can be made from it.
      const pooled = await this.lanes.giveBack(runtime, landed.lane);
      this.apply(this.scheduler.completed(id, true));
      if (!pooled) await this.lanes.dropMerged(runtime, landed.lane);
      this.ledger.save();
    } finally {
      runtime.endAttempt();
    }
  }

  /** Ended because the run stops: back to pending, for `lanes resume`. */
  private cancelled(runtime: TaskRuntime): void {
    this.apply(this.scheduler.cancelled(runtime.id));
    runtime.record.status = "pending";
    this.ledger.save();
  }

  private attemptFailed(
    runtime: TaskRuntime,
    attempt: number,
    failure: AttemptFailure,
    report: () => Decision[],
  ): void {
    const { id } = runtime;
    if (failure.reason === "rate_limit") {
      this.adjustConcurrency(this.throttle.rateLimited(Date.now()), "rate limited");
    }
    if (failure.retryAfterMs !== undefined) runtime.retryNotBefore = failure.retryAfterMs;
    const decisions = report();
    const retry = decisions.find((d) => d.type === "retry_later" && d.id === id);
    runtime.lastFailure = `${failure.reason}: ${failure.detail}`;
    this.ledger.emit({
      type: "attempt_failed",
      taskId: id,
      attempt,
      reason: failure.reason,
      detail: failure.detail,
      retryInMs:
        retry?.type === "retry_later"
          ? Math.max(retry.delayMs, failure.retryAfterMs ?? 0)
          : undefined,
    });
    if (this.scheduler.state(id) === "failed") {
      this.ledger.finishTask(id, "failed", failure.reason, failure.detail);
      this.track(this.recordFailed(runtime, failure.reason, failure.detail).catch(() => {}));
    } else runtime.record.status = "pending";
    this.apply(decisions);
    this.ledger.save();
  }

  /** A failed task's record: a one-parent commit on the integration branch (task-records.ts). */
  private async recordFailed(
    runtime: TaskRuntime,
    reason: FailureReason,
    detail: string,
  ): Promise<void> {
    const head = await recordFailed(this.prepared.git, {
      id: runtime.id,
      file: runtime.task.file,
      integrationBranch: this.integration.branch,
      runId: this.prepared.runId,
      reason,
      detail,
    });
    if (head) this.integration.head = head;
  }

  private adjustConcurrency(next: number | undefined, why: string): void {
    if (next === undefined) return;
    const from = this.scheduler.concurrency;
    this.apply(this.scheduler.setConcurrency(next));
    this.ledger.emit({ type: "concurrency_changed", from, to: next, why });
  }

  /** Past --max-tokens or --max-cost, no new task starts; running ones finish. */
  private checkBudget(): void {
    if (this.stopping) return;
    const spent = budgetSpent(Object.values(this.state.tasks), this.prepared.settings);
    if (spent) this.stop(spent, false);
  }

  private async finish(): Promise<RunResult> {
    await this.lanes.close(this.runtimes.values());
    return closeRun(this.prepared, this.ledger, this.integration, {
      stoppedBecause: this.stopping,
      land: this.options.land ?? false,
      startedAt: this.startedAt,
    });
  }
}
