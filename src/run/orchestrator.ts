/**
 * Wires one run together: the scheduler decides, the orchestrator acts on its decisions through
 * the lane pool (worktrees), the agent attempt (prompt, process, verdict) and landing (commit,
 * verify, record, merge), and the ledger records every change in run.json and the event stream.
 * Each task has one runtime record (task-runtime.ts); its status lives in run.json's record.
 *
 * About 390 lines, on purpose: this is the one place where each part's outcome (lane
 * setup, the phases, landing, pull requests, leftovers, the budget and the throttle) meets the
 * scheduler, and splitting it further would split that single conversation in two. Everything a
 * part does lives in that part's own module.
 */
import { integrationBranchName } from "../names.js";
import type { Scheduler } from "../scheduler/scheduler.js";
import type { Decision } from "../scheduler/types.js";
import type { RunState } from "../state/run-state.js";
import type { AgentOutcome, AttemptContext } from "./agent-attempt.js";
import type { AttemptFailure } from "./attempt.js";
import { budgetSpent } from "./budget.js";
import { conflictResolver } from "./conflict-resolve.js";
import type { FailureReason } from "./events.js";
import { failureOfError } from "./failure-of-error.js";
import { GithubPublisher } from "./github-publisher.js";
import { land } from "./landing.js";
import { LaneLife } from "./lane-life.js";
import { type Integration, LanePool } from "./lane-pool.js";
import { claimRunState, Ledger, newRunState } from "./ledger.js";
import { LiveGroups } from "./live-groups.js";
import type { RunOptions } from "./options.js";
import { OverlapWatch } from "./overlap-watch.js";
import { runPhases } from "./phases.js";
import type { PreparedRun } from "./prepare.js";
import type { RunResult } from "./result.js";
import { closeRun, openRun, schedulerFor } from "./run-ends.js";
import { RunLeftovers } from "./run-leftovers.js";
import { recordFailed } from "./task-records.js";
import { TaskRuntime } from "./task-runtime.js";
import { Throttle } from "./throttle.js";
import { feedBackVerify } from "./verify-loop.js";

export class Orchestrator {
  private readonly scheduler: Scheduler;
  private readonly ledger: Ledger;
  private readonly integration: Integration;
  private readonly lanes: LanePool;
  private readonly life: LaneLife;
  private readonly overlaps: OverlapWatch;
  /** Pull requests and issue comments (`--pr`, `--comment`), when the run makes any. */
  private readonly github: GithubPublisher | undefined;
  private readonly groups = new LiveGroups();
  private readonly leftovers: RunLeftovers;
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
    this.scheduler = schedulerFor(prepared, state, random);
    claimRunState(state);
    this.throttle = new Throttle(this.scheduler.concurrency);
    this.ledger = new Ledger(runId, repoRoot, state, (event) => {
      this.github?.onEvent(event);
      options.onEvent?.(event);
    });
    this.github =
      prepared.github && new GithubPublisher(prepared, prepared.github, () => this.ledger);
    this.life = new LaneLife(prepared, this.ledger, this.groups);
    this.lanes = new LanePool(prepared, this.ledger, this.integration, this.life, (runtime) =>
      this.github?.startPoint(runtime),
    );
    this.overlaps = new OverlapWatch(this.ledger);
    this.leftovers = new RunLeftovers(this.ledger, runId, prepared.graceMs);
    // run.json cannot be written: going on would leave work no `lanes resume` knows of.
    this.ledger.onSaveFailure = () => this.stop("interrupted", true);
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
      const agentContext = this.agentContext();
      try {
        const lane = await this.lanes.ensure(runtime, after);
        // Ports, then the lane's setup once (lane-life.ts): a failing setup fails the task.
        outcome =
          (await this.life.ready(runtime, lane, signal)) ??
          (await runPhases(agentContext, runtime, attempt, lane, signal));
      } catch (error) {
        const { worktreeRoot, repoRoot } = this.prepared;
        outcome = { kind: "failed", failure: failureOfError(error, [worktreeRoot, repoRoot]) };
      }
      // Failing because the run stopped it (a log that cannot be opened on a full disk, say)
      // is being stopped: the task goes back to pending for `lanes resume`.
      const stopped = signal.aborted && this.stopping !== undefined;
      if (outcome.kind === "cancelled" || (outcome.kind === "failed" && stopped))
        return this.cancelled(runtime);
      if (outcome.kind === "failed") {
        const { failure } = outcome;
        return this.attemptFailed(runtime, attempt, failure, () =>
          this.scheduler.agentExited(id, { ok: false, retryable: failure.retryable }),
        );
      }
      this.apply(this.scheduler.agentExited(id, { ok: true, retryable: false }));
      // Before landing, while the lane surely exists: one of two overlapping lanes always sees the other.
      await this.overlaps.observe(this.runtimes.values(), runtime);
      this.adjustConcurrency(this.throttle.succeeded(Date.now()), "agents succeed again");
      const landed = await land(
        {
          prepared: this.prepared,
          ledger: this.ledger,
          groups: this.groups,
          leftovers: this.leftovers,
          integration: this.integration,
          ...(this.prepared.settings.conflicts === "agent"
            ? { resolveConflict: conflictResolver(agentContext, () => attempt) }
            : {}),
        },
        runtime,
        attempt,
        signal,
      );
      if (landed.kind === "cancelled") return this.cancelled(runtime);
      if (landed.kind === "failed") {
        let { failure } = landed;
        if (failure.reason === "verify") {
          const { verifyLoops } = this.prepared.settings;
          const fed = await feedBackVerify(this.ledger, runtime, attempt, failure, verifyLoops);
          failure = fed.failure;
          if (fed.again) return this.loopBack(runtime, failure);
        }
        return this.attemptFailed(runtime, attempt, failure, () =>
          this.scheduler.completed(id, false, failure.retryable),
        );
      }
      const unpublished = await this.github?.publishTask(runtime);
      if (unpublished) {
        return this.attemptFailed(runtime, attempt, unpublished, () =>
          this.scheduler.completed(id, false, false),
        );
      }
      this.ledger.finishTask(id, "done", undefined, undefined);
      // Back to the pool first, so that the lanes of the tasks this frees can be made from it.
      const pooled = await this.lanes.giveBack(runtime, landed.lane);
      this.apply(this.scheduler.completed(id, true));
      if (!pooled) await this.lanes.dropMerged(runtime, landed.lane);
      this.ledger.save();
    } finally {
      // A loop may already have started the next attempt, with a controller of its own.
      if (runtime.controller?.signal === signal) {
        this.life.release(runtime);
        runtime.endAttempt();
      }
    }
  }

  /** What each agent phase needs of the run: settings, the ledger, the throttle and budget. */
  private agentContext(): AttemptContext {
    return {
      prepared: this.prepared,
      options: this.options,
      ledger: this.ledger,
      groups: this.groups,
      leftovers: this.leftovers,
      hooks: {
        onUsage: () => this.checkBudget(),
        onRateLimited: () =>
          this.adjustConcurrency(this.throttle.rateLimited(Date.now()), "rate limited"),
        stopping: () => this.stopping !== undefined,
      },
    };
  }

  /** A failed verify fed back (verify-loop.ts): the task starts again with the failing tests. */
  private loopBack(runtime: TaskRuntime, failure: AttemptFailure): void {
    runtime.lastFailure = `${failure.reason}: ${failure.detail}`;
    runtime.record.status = "pending";
    this.apply(this.scheduler.loopBack(runtime.id));
    this.ledger.save();
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
    await this.github?.finish(this.integration.branch, this.stopping === "interrupted");
    // Done, failed or interrupted: nothing the run started outlives it.
    await this.leftovers.endRun();
    await this.lanes.close(this.runtimes.values());
    return closeRun(this.prepared, this.ledger, this.integration, {
      stoppedBecause: this.stopping,
      land: this.options.land ?? false,
      startedAt: this.startedAt,
    });
  }
}
