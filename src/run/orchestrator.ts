import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { stopsAgent } from "../agents/classify.js";
import type { AgentSignal } from "../agents/parsers/types.js";
import { type AgentProcessResult, runAgentProcess } from "../agents/process.js";
import { buildPrompt } from "../agents/prompt.js";
import { durationText } from "../config/duration.js";
import { LanesError } from "../errors.js";
import { laneProblem } from "../git/lane-check.js";
import {
  commitAll,
  createBranch,
  fastForward,
  integrationBranchName,
  mergeInto,
} from "../git/merge.js";
import { resolveCommit } from "../git/repo.js";
import { addLane, dropLaneFolder, laneBranchName, lanePath, pruneLanes } from "../git/worktrees.js";
import { Scheduler } from "../scheduler/scheduler.js";
import type { Decision } from "../scheduler/types.js";
import { procInfo } from "../state/proc.js";
import {
  countStatuses,
  emptyTaskState,
  type RunState,
  RunStateStore,
  runDir,
  runStatePath,
  type TaskState,
} from "../state/run-state.js";
import { type AttemptFailure, classifyAttempt, isSuccess } from "./attempt.js";
import { budgetSpent } from "./budget.js";
import { EventLog } from "./event-log.js";
import type { FailureReason, LanesEvent } from "./events.js";
import type { RunOptions } from "./options.js";
import type { PreparedRun } from "./prepare.js";
import { buildResult, type RunResult } from "./result.js";
import { recordDone, recordFailed } from "./task-records.js";
import { Throttle } from "./throttle.js";
import { runVerify, verifyText } from "./verify.js";

const PHASE = "exec";

/** Exponential backoff with jitter: 1 s, 2 s, 4 s ... capped at 60 s, each ±25 %. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(60_000, 1000 * 2 ** Math.max(0, attempt - 2));
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * Wires one run together: the scheduler decides, this class acts (lanes, agents, commits,
 * merges), records every change in run.json and tells the world through the event stream.
 */
export class Orchestrator {
  private readonly scheduler: Scheduler;
  private readonly store: RunStateStore;
  private readonly events: EventLog;
  private readonly integrationBranch: string;
  /**
   * The integration branch's head, as lanes last wrote it: new lanes start here (a commit, not
   * the branch name, so that no git process is needed to ask).
   */
  private integrationHead: string;
  private readonly controllers = new Map<string, AbortController>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly laneHeads = new Map<string, Promise<string | undefined>>();
  private readonly byPriority: PreparedRun["plan"]["tasks"];
  /** Lane branches merged in this run, deleted at its end in one git process. */
  private readonly mergedBranches: string[] = [];
  /** Each task's worktree, being created or ready: created once, whoever asks first. */
  private readonly lanes = new Map<string, Promise<string>>();
  private readonly lastFailure = new Map<string, string>();
  private readonly attemptsBefore: Map<string, number>;
  private readonly throttle: Throttle;
  /** Wait at least this long before a retry: the reset time a rate-limited agent reported. */
  private readonly retryNotBefore = new Map<string, number>();
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
    this.integrationBranch = integrationBranchName(runId);
    this.integrationHead = prepared.baseCommit;
    const random = options.random ?? Math.random;
    const state = resumeFrom ?? this.freshState();
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
    Object.assign(state, {
      status: "running",
      pid: process.pid,
      pidStartTicks: procInfo(process.pid)?.startTicks,
      finishedAt: undefined,
    });
    this.attemptsBefore = new Map(state.order.map((id) => [id, state.tasks[id]?.attempts ?? 0]));
    this.throttle = new Throttle(this.scheduler.concurrency);
    this.byPriority = [...plan.tasks].sort((a, b) => b.priority - a.priority);
    this.store = new RunStateStore(runStatePath(repoRoot, runId), state);
    this.events = new EventLog(
      path.join(runDir(repoRoot, runId), "events.ndjson"),
      options.onEvent,
    );
  }

  private freshState(): RunState {
    const { prepared, options } = this;
    return {
      version: 1,
      id: prepared.runId,
      status: "running",
      pid: process.pid,
      startedAt: this.startedAt,
      finishedAt: undefined,
      repoRoot: prepared.repoRoot,
      baseCommit: prepared.baseCommit,
      baseBranch: prepared.baseBranch,
      integrationBranch: this.integrationBranch,
      worktreeRoot: prepared.worktreeRoot,
      options: {
        mode: prepared.mode,
        concurrency: prepared.settings.concurrency,
        retries: prepared.settings.retries,
        timeout: durationText(prepared.settings.timeoutMs),
        batches: prepared.batches,
        land: options.land ?? false,
      },
      order: prepared.plan.tasks.map((task) => task.id),
      tasks: Object.fromEntries(
        prepared.plan.tasks.map((task) => [task.id, emptyTaskState(laneBranchName(task.id))]),
      ),
    };
  }

  private get state(): RunState {
    return this.store.state;
  }

  private emit(event: DistributiveOmit<LanesEvent, "time" | "runId">): void {
    this.events.emit({ ...event, time: Date.now(), runId: this.prepared.runId } as LanesEvent);
  }

  async execute(): Promise<RunResult> {
    const { prepared } = this;
    await mkdir(runDir(prepared.repoRoot, prepared.runId), { recursive: true });
    await ensureRunsIgnored(prepared.repoRoot);
    await this.store.save();
    if (this.resumeFrom) {
      this.integrationHead = await resolveCommit(prepared.git, this.integrationBranch);
    } else await createBranch(prepared.git, this.integrationBranch, prepared.baseCommit);
    this.emit({
      type: "run_started",
      tasks: this.state.order,
      concurrency: prepared.settings.concurrency,
      integrationBranch: this.integrationBranch,
      baseCommit: prepared.baseCommit,
      baseBranch: prepared.baseBranch,
    });
    if (prepared.dirty.length > 0) {
      const files =
        prepared.dirty.slice(0, 5).join(", ") + (prepared.dirty.length > 5 ? ", ..." : "");
      this.emit({
        type: "warning",
        message: `uncommitted changes in the main checkout are not in the lanes (${files}); lanes works from the committed HEAD ${prepared.baseCommit.slice(0, 7)}`,
      });
    }
    if (!prepared.baseBranch) {
      this.emit({
        type: "warning",
        message: `HEAD is detached: the lanes start from ${prepared.baseCommit.slice(0, 7)}, and --land has no branch to move`,
      });
    }
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
    return this.finish();
  }

  /** Acts on the scheduler's decisions. Never throws: failures become task failures. */
  private apply(decisions: Decision[]): void {
    for (const decision of decisions) {
      switch (decision.type) {
        case "start":
          // A resumed run numbers attempts on from the dead run's, so no log is overwritten.
          this.track(
            this.attempt(
              decision.id,
              this.attemptsBefore.get(decision.id)! + decision.attempt,
              decision.after,
            ),
          );
          break;
        case "retry_later": {
          const timer = setTimeout(
            () => {
              this.timers.delete(decision.id);
              if (!this.stopping) this.apply(this.scheduler.retryDue(decision.id));
              this.checkSettled();
            },
            Math.max(decision.delayMs, this.retryNotBefore.get(decision.id) ?? 0),
          );
          this.timers.set(decision.id, timer);
          break;
        }
        case "skip":
          this.markFinished(decision.id, "skipped", "dependency", decision.because);
          break;
        case "stop":
          this.stop(decision.why, decision.cancelRunning);
          break;
      }
    }
    this.prepareWaitingLanes();
  }

  /** No new starts; with `cancelRunning`, end every agent (fail-fast, Ctrl-C). */
  private stop(why: string, cancelRunning: boolean): void {
    if (!this.stopping) {
      this.stopping = why;
      this.scheduler.stop(why);
      this.emit({ type: "run_stopping", why });
    }
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    if (cancelRunning) for (const controller of this.controllers.values()) controller.abort();
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
    if (this.inflight > 0 || this.timers.size > 0) return;
    if (this.stopping || this.scheduler.isFinished) this.settle?.();
  }

  private task(id: string): TaskState {
    return this.state.tasks[id]!;
  }

  /** One agent attempt: lane, prompt, agent process, then the verdict. */
  private async attempt(id: string, attempt: number, after: string | undefined): Promise<void> {
    const { prepared } = this;
    const record = this.task(id);
    const controller = new AbortController();
    this.controllers.set(id, controller);
    let result: AgentProcessResult | undefined;
    let failure: AttemptFailure | undefined;
    try {
      const lane = await this.ensureLane(id, after);
      const logPath = path.join(
        runDir(prepared.repoRoot, prepared.runId),
        "logs",
        id,
        `${PHASE}.${attempt}.log`,
      );
      const prompt = buildPrompt(
        {
          task: prepared.tasks.get(id)!,
          verify: verifyText(prepared.settings.verify),
          ...(this.lastFailure.has(id) ? { previousFailure: this.lastFailure.get(id)! } : {}),
        },
        prepared.promptTemplate,
      );
      const promptFile = path.join(
        runDir(prepared.repoRoot, prepared.runId),
        "prompts",
        `${id}.${PHASE}.${attempt}.md`,
      );
      await mkdir(path.dirname(promptFile), { recursive: true });
      await writeFile(promptFile, prompt);
      Object.assign(record, {
        status: "running",
        attempts: attempt,
        logPath,
        startedAt: record.startedAt ?? Date.now(),
      });
      const agent = prepared.agents.get(id)!;
      const signals: AgentSignal[] = [];
      const attemptStart = Date.now();
      // A retry continues the agent's own session where the CLI allows it.
      const argv =
        attempt > 1 && record.sessionId && agent.resumeArgv
          ? agent.resumeArgv(record.sessionId)
          : agent.argv;
      result = await runAgentProcess({
        argv,
        cwd: lane,
        env: {
          ...agent.env,
          LANES_RUN_ID: prepared.runId,
          LANES_TASK_ID: id,
          LANES_PHASE: PHASE,
          LANES_ATTEMPT: String(attempt),
          LANES_PROMPT_FILE: promptFile,
          LANES_WORKTREE: lane,
          LANES_BRANCH: record.branch,
        },
        prompt,
        logPath,
        timeoutMs: prepared.timeoutMs,
        graceMs: prepared.graceMs,
        signal: controller.signal,
        onSpawn: (pid) => {
          record.agent = { pgid: pid, startedAt: attemptStart };
          this.emit({
            type: "task_started",
            taskId: id,
            phase: PHASE,
            attempt,
            pgid: pid,
            logPath,
          });
          void this.store.save();
        },
        // Lines are split only for someone who reads them: a custom agent's output, unwatched,
        // goes to its log without costing a string per line.
        ...(this.options.streamOutput || agent.parser
          ? {
              onLine: (line: string) => {
                if (this.options.streamOutput) this.emit({ type: "task_output", taskId: id, line });
                for (const signal of agent.parser?.parseLine(line) ?? []) {
                  signals.push(signal);
                  this.onAgentSignal(id, signal, controller);
                }
              },
            }
          : {}),
      });
      record.agent = undefined;
      this.emit({
        type: "agent_exited",
        taskId: id,
        attempt,
        durationMs: result.durationMs,
        ok: isSuccess(result),
      });
      if (result.aborted && this.stopping) {
        this.apply(this.scheduler.cancelled(id));
        record.status = "pending";
        void this.store.save();
        return;
      }
      failure = isSuccess(result) ? undefined : classifyAttempt(result, signals);
    } catch (error) {
      failure = { reason: "git", detail: errorDetail(error), retryable: false };
    } finally {
      this.controllers.delete(id);
    }
    if (failure) {
      this.attemptFailed(id, attempt, failure, () =>
        this.scheduler.agentExited(id, { ok: false, retryable: failure.retryable }),
      );
      return;
    }
    this.apply(this.scheduler.agentExited(id, { ok: true, retryable: false }));
    this.adjustConcurrency(this.throttle.succeeded(Date.now()), "agents succeed again");
    await this.land(id, attempt);
  }

  /** Reads what the agent's stream says: activity, usage, and errors that make waiting pointless. */
  private onAgentSignal(id: string, signal: AgentSignal, controller: AbortController): void {
    const record = this.task(id);
    switch (signal.kind) {
      case "activity":
        this.emit({ type: "task_activity", taskId: id, activity: signal.text });
        break;
      case "usage":
        record.tokens = {
          input: (record.tokens?.input ?? 0) + signal.tokens.input,
          output: (record.tokens?.output ?? 0) + signal.tokens.output,
        };
        if (signal.cost !== undefined) record.cost = (record.cost ?? 0) + signal.cost;
        this.emit({ type: "task_usage", taskId: id, tokens: record.tokens, cost: record.cost });
        this.checkBudget();
        break;
      case "session":
        record.sessionId = signal.id;
        break;
      case "error":
        // Claude Code retries a 401 by itself for minutes: end it at once instead.
        if (stopsAgent(signal)) controller.abort();
        if (signal.status === 429)
          this.adjustConcurrency(this.throttle.rateLimited(Date.now()), "rate limited");
        break;
    }
  }

  private attemptFailed(
    id: string,
    attempt: number,
    failure: AttemptFailure,
    report: () => Decision[],
  ): void {
    if (failure.reason === "rate_limit") {
      this.adjustConcurrency(this.throttle.rateLimited(Date.now()), "rate limited");
    }
    if (failure.retryAfterMs !== undefined) this.retryNotBefore.set(id, failure.retryAfterMs);
    const decisions = report();
    const retry = decisions.find((d) => d.type === "retry_later" && d.id === id);
    this.lastFailure.set(id, `${failure.reason}: ${failure.detail}`);
    this.emit({
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
      this.markFinished(id, "failed", failure.reason, failure.detail);
      this.track(this.recordFailed(id, failure.reason, failure.detail).catch(() => {}));
    } else this.task(id).status = "pending";
    this.apply(decisions);
    void this.store.save();
  }

  private adjustConcurrency(next: number | undefined, why: string): void {
    if (next === undefined) return;
    const from = this.scheduler.concurrency;
    this.apply(this.scheduler.setConcurrency(next));
    this.emit({ type: "concurrency_changed", from, to: next, why });
  }

  /** Past --max-tokens or --max-cost, no new task starts; running ones finish. */
  private checkBudget(): void {
    if (this.stopping) return;
    const spent = budgetSpent(Object.values(this.state.tasks), this.prepared.settings);
    if (spent) this.stop(spent, false);
  }

  /** Creates the task's worktree on first use, from the integration branch (or the chain's last lane). */
  private ensureLane(id: string, after: string | undefined): Promise<string> {
    let lane = this.lanes.get(id);
    if (!lane) {
      lane = this.createLane(id, after);
      this.lanes.set(id, lane);
      lane.catch(() => this.lanes.delete(id));
    }
    return lane;
  }

  /**
   * Prepares the worktrees of tasks that are ready but wait for a slot (a few ahead, highest
   * priority first), so that a freed slot starts the next agent at once instead of after a
   * `git worktree add`. Not in chain mode, where a lane starts from the previous task's work.
   */
  private prepareWaitingLanes(): void {
    if (this.stopping || this.prepared.mode === "chain") return;
    let ahead = this.scheduler.concurrency;
    for (const task of this.byPriority) {
      if (ahead <= 0) return;
      // Run statuses, not the scheduler's: a resumed run schedules only its unfinished tasks.
      if (this.task(task.id).status !== "pending" || this.task(task.id).attempts > 0) continue;
      const ready = task.depends_on.every(
        (dep) => (this.state.tasks[dep]?.status ?? "done") === "done",
      );
      if (!ready) continue;
      ahead--;
      if (!this.lanes.has(task.id))
        this.track(
          this.ensureLane(task.id, undefined).then(
            () => undefined,
            () => undefined,
          ),
        );
    }
  }

  private async createLane(id: string, after: string | undefined): Promise<string> {
    const { prepared } = this;
    const record = this.task(id);
    if (record.worktree) return record.worktree;
    const startPoint = after
      ? ((await this.laneHeads.get(after)) ?? this.integrationHead)
      : this.integrationHead;
    const branch = laneBranchName(id);
    const lane = await addLane(prepared.git, {
      root: prepared.worktreeRoot,
      path: lanePath(prepared.worktreeRoot, id),
      branch,
      startPoint,
      // prepareRun refused branches holding work; what is left holds nothing to lose.
      existingBranch: "reset",
    });
    Object.assign(record, { worktree: lane.path, branch, startCommit: lane.head });
    this.emit({ type: "lane_ready", taskId: id, worktree: lane.path, branch });
    await this.store.save();
    return lane.path;
  }

  /** After a successful agent: commit what it left, check it changed something, verify, merge. */
  private async land(id: string, attempt: number): Promise<void> {
    const { prepared } = this;
    const record = this.task(id);
    const task = prepared.tasks.get(id)!;
    const lane = record.worktree!;
    let resolveHead!: (commit: string | undefined) => void;
    this.laneHeads.set(
      id,
      new Promise((resolve) => {
        resolveHead = resolve;
      }),
    );
    try {
      // An agent that deleted its worktree or switched its branch: nothing to commit or merge.
      const broken = await laneProblem(lane, record.branch);
      if (broken) {
        resolveHead(undefined);
        return this.postFailure(id, attempt, { reason: "git", detail: broken, retryable: false });
      }
      const { commit } = await commitAll(
        prepared.git,
        lane,
        `${task.title}\n\nlanes task ${id} (run ${prepared.runId})`,
      );
      resolveHead(commit);
      if (commit === record.startCommit) {
        return this.postFailure(id, attempt, {
          reason: "no_changes",
          detail: "the agent exited 0 but changed no file",
          retryable: false,
        });
      }
      const verifyFailure = await this.verify(id, attempt, lane);
      if (verifyFailure) return this.postFailure(id, attempt, verifyFailure);
      const source = await this.recordDone(id, lane, commit);
      const merge = await mergeInto(prepared.git, {
        target: this.integrationBranch,
        source,
        message: `Merge lanes task ${id}: ${task.title}`,
      });
      if (!merge.ok) {
        return this.postFailure(id, attempt, {
          reason: "conflict",
          detail: `merge conflict in ${merge.conflicts.join(", ")}; the branch ${record.branch} is kept for you`,
          retryable: false,
        });
      }
      record.mergeCommit = merge.commit;
      this.integrationHead = merge.commit;
      this.emit({ type: "task_merged", taskId: id, commit: merge.commit });
      this.markFinished(id, "done", undefined, undefined);
      this.apply(this.scheduler.completed(id, true));
      // Its work is in the integration branch now: the lane has nothing left to keep. The folder
      // goes at once, git's records of it and its branch in one go at the end of the run.
      await dropLaneFolder(prepared.worktreeRoot, lane);
      this.mergedBranches.push(record.branch);
      record.worktree = undefined;
      void this.store.save();
    } catch (error) {
      resolveHead(undefined);
      const detail = errorDetail(error);
      this.postFailure(id, attempt, { reason: "git", detail, retryable: false });
    }
  }

  /** The lane's record commit (`status: done`): see task-records.ts. Returns the lane's head. */
  private recordDone(id: string, lane: string, commit: string): Promise<string> {
    return recordDone(this.prepared.git, {
      id,
      lane,
      file: this.prepared.tasks.get(id)!.file,
      startCommit: this.task(id).startCommit!,
      commit,
      integrationBranch: this.integrationBranch,
      runId: this.prepared.runId,
    });
  }

  private async recordFailed(id: string, reason: FailureReason, detail: string): Promise<void> {
    const head = await recordFailed(this.prepared.git, {
      id,
      file: this.prepared.tasks.get(id)!.file,
      integrationBranch: this.integrationBranch,
      runId: this.prepared.runId,
      reason,
      detail,
    });
    if (head) this.integrationHead = head;
  }

  private postFailure(id: string, attempt: number, failure: AttemptFailure): void {
    this.attemptFailed(id, attempt, failure, () =>
      this.scheduler.completed(id, false, failure.retryable),
    );
  }

  private verify(id: string, attempt: number, lane: string): Promise<AttemptFailure | undefined> {
    const { prepared } = this;
    return runVerify(prepared.settings.verify, {
      lane,
      env: { LANES_RUN_ID: prepared.runId, LANES_TASK_ID: id, LANES_WORKTREE: lane },
      logPath: path.join(
        runDir(prepared.repoRoot, prepared.runId),
        "logs",
        id,
        `verify.${attempt}.log`,
      ),
      timeoutMs: prepared.timeoutMs,
      graceMs: prepared.graceMs,
    });
  }

  private markFinished(
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
    void this.store.save();
  }

  private async finish(): Promise<RunResult> {
    const { prepared } = this;
    // Lanes prepared ahead for tasks that never started hold nothing: leave no worktree behind.
    for (const id of this.state.order) {
      const record = this.task(id);
      if (record.status === "pending" && record.attempts === 0 && record.worktree) {
        await dropLaneFolder(prepared.worktreeRoot, record.worktree);
        this.mergedBranches.push(record.branch);
        record.worktree = undefined;
      }
    }
    await pruneLanes(prepared.git, this.mergedBranches).catch(() => {});
    const counts = countStatuses(this.state.tasks);
    const interrupted = this.stopping === "interrupted";
    const failed =
      counts.failed > 0 ||
      counts.skipped > 0 ||
      (this.stopping !== undefined && counts.pending > 0);
    let landed = false;
    if (!interrupted && !failed && this.options.land && prepared.baseBranch) {
      // Not landing (a dirty checkout, a moved branch) must not lose the run's records.
      try {
        await fastForward(prepared.git, {
          branch: prepared.baseBranch,
          to: this.integrationBranch,
          mainCheckout: prepared.repoRoot,
        });
        landed = true;
      } catch (error) {
        const hint = error instanceof LanesError && error.hint ? ` (${error.hint})` : "";
        this.emit({ type: "warning", message: `not landed: ${(error as Error).message}${hint}` });
      }
    }
    Object.assign(this.state, {
      status: interrupted ? "interrupted" : failed ? "failed" : "done",
      finishedAt: Date.now(),
    });
    await this.store.save();
    this.emit({
      type: "run_finished",
      status: interrupted ? "interrupted" : failed ? "failed" : "done",
      counts,
      durationMs: Date.now() - this.startedAt,
      integrationBranch: this.integrationBranch,
    });
    await this.events.close();
    await this.store.flush();
    return buildResult(this.state, { landed, stoppedBecause: this.stopping });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An error that fails a task, as its detail: the message and, for lanes' own, what to do. */
function errorDetail(error: unknown): string {
  if (error instanceof LanesError)
    return error.hint ? `${error.message} (${error.hint})` : error.message;
  return error instanceof Error ? error.message : String(error);
}

/** `.lanes/runs/` ignores itself, so run state never shows up in `git status`. */
async function ensureRunsIgnored(repoRoot: string): Promise<void> {
  const file = path.join(repoRoot, ".lanes", "runs", ".gitignore");
  await writeFile(file, "*\n", { flag: "w" });
}
