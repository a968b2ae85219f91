/**
 * The coordinator's side of the queue (`lanes run --queue`): where a local run would create a
 * lane and run its phases, this pushes the integration branch to the shared remote, adds a job
 * (data only) and waits for a worker's result, telling the worker's progress as the run's own
 * (progress-relay.ts). A done attempt's commit is fetched into a local lane, which then lands
 * through the same merge queue as any lane, once. Re-attaching after a killed coordinator, a
 * Redis that restarted empty and a Ctrl-C all come down to the job ids being deterministic.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { type QueueSetting, queueSettings } from "../config/queue-setting.js";
import type { AgentOutcome } from "../run/agent-attempt.js";
import type { Integration } from "../run/lane-pool.js";
import type { Ledger } from "../run/ledger.js";
import { qualityOf } from "../run/phases.js";
import type { PreparedRun } from "../run/prepare.js";
import type { TaskRuntime } from "../run/task-runtime.js";
import { logPath } from "../state/layout.js";
import { remoteUrl } from "./checks.js";
import type { JobData, QueueResult } from "./contract.js";
import { JobBoard } from "./job-board.js";
import { baseRef, jobId } from "./names.js";
import { ProgressRelay } from "./progress-relay.js";
import { fetchCommit, pushCommit, RemoteError } from "./remote.js";

export interface RemoteAttempt {
  outcome: AgentOutcome;
  /** Verify ran and passed on the worker. */
  verified: boolean;
}

export interface CoordinatorHooks {
  onGone: () => void;
  onUsage: () => void;
  streamOutput: boolean;
}

export class QueueCoordinator {
  private pushed: string | undefined;
  private pushing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly prepared: PreparedRun,
    private readonly ledger: Ledger,
    private readonly setting: QueueSetting,
    private readonly repository: string,
    private readonly jobs: JobBoard,
    private readonly hooks: CoordinatorHooks,
  ) {}

  static async open(prepared: PreparedRun, ledger: Ledger, hooks: CoordinatorHooks) {
    const setting = queueSettings(prepared.settings.queue);
    const repository = await remoteUrl(prepared.git, setting.remote);
    const jobs = new JobBoard(setting.url!, setting.timeoutMs, repository, prepared.runId, {
      say: (message) => ledger.emit({ type: "warning", message }),
      onGone: hooks.onGone,
    });
    await jobs.ready();
    return new QueueCoordinator(prepared, ledger, setting, repository, jobs, hooks);
  }

  /**
   * One attempt on some worker; a done one's commit is put into the task's local lane
   * (`lane()` makes it) for landing. A resumed run first looks for the dead run's last job of
   * the task: finished meanwhile, it is collected; still running, it is waited for.
   */
  async attempt(
    runtime: TaskRuntime,
    attempt: number,
    signal: AbortSignal,
    integration: Integration,
    lane: () => Promise<string>,
  ): Promise<RemoteAttempt> {
    const { record, id } = runtime;
    Object.assign(record, { status: "running", attempts: attempt });
    record.startedAt ??= Date.now();
    this.ledger.save();
    const relay = new ProgressRelay(
      this.ledger,
      runtime,
      this.hooks.streamOutput,
      this.hooks.onUsage,
    );
    // The local lane the commit comes into is made while the worker works, not after.
    const worktree = lane();
    worktree.catch(() => {});
    let result: QueueResult | string;
    /** Where the worker's lane started: the local lane's start, so its diff is its own work. */
    let base = integration.head;
    try {
      const earlier = attempt - 1 === runtime.attemptsBefore && attempt > 1;
      const adopted = earlier ? await this.collect(runtime, attempt - 1, relay, signal) : undefined;
      if (adopted !== undefined) ({ result, base } = adopted);
      else {
        await this.pushBase(base);
        const data = await this.jobData(runtime, attempt, base);
        result = await this.jobs.wait(
          jobId(this.repository, this.prepared.runId, id, attempt),
          data,
          relay,
          signal,
        );
      }
    } catch (error) {
      if (error instanceof RemoteError) return failed(error.failure);
      throw error;
    }
    await relay.settled();
    if (signal.aborted) return { outcome: { kind: "cancelled" }, verified: false };
    if (typeof result === "string") return failed(jobFailure(result));
    if (
      result.repository !== this.repository ||
      result.runId !== this.prepared.runId ||
      result.taskId !== id
    ) {
      return failed({
        reason: "remote",
        detail: `refused a result for ${result.repository} run ${result.runId} task ${result.taskId}: this run is ${this.repository} run ${this.prepared.runId} task ${id}`,
        retryable: true,
      });
    }
    if (result.kind === "cancelled") return { outcome: { kind: "cancelled" }, verified: false };
    if (result.kind === "failed") {
      if (result.verifyLog !== undefined)
        await this.keepVerifyLog(runtime, attempt, result.verifyLog);
      return failed(
        result.failure ?? { reason: "crash", detail: "the worker gave no reason", retryable: true },
      );
    }
    const into = `refs/lanes-queue/${this.prepared.runId}/${id}`;
    try {
      await fetchCommit(
        this.prepared.git,
        this.setting.remote,
        `refs/heads/${record.branch}`,
        result.commit!,
        into,
      );
    } catch (error) {
      if (error instanceof RemoteError) return failed(error.failure);
      throw error;
    }
    await this.prepared.git.run(["reset", "--quiet", "--hard", result.commit!], {
      cwd: await worktree,
    });
    record.startCommit = base;
    await this.prepared.git.run(["update-ref", "-d", into], { allowFail: true });
    return { outcome: { kind: "ok" }, verified: result.verified };
  }

  /** The dead run's job of this attempt: its result if it ends, undefined if there is none. */
  private async collect(
    runtime: TaskRuntime,
    attempt: number,
    relay: ProgressRelay,
    signal: AbortSignal,
  ): Promise<{ result: QueueResult | string; base: string } | undefined> {
    const id = jobId(this.repository, this.prepared.runId, runtime.id, attempt);
    const found = await this.jobs.find(id);
    if (!found) return undefined;
    const base = found.data.baseCommit;
    if (found.ended)
      return found.result?.kind === "ok" ? { result: found.result, base } : undefined;
    this.ledger.emit({
      type: "warning",
      message: `${runtime.id}: attempt ${attempt} still runs on a worker; waiting for it`,
    });
    return { result: await this.jobs.wait(id, found.data, relay, signal), base };
  }

  /** The integration branch on the remote, where workers fetch lanes' starts; pushed in order. */
  private pushBase(head: string): Promise<void> {
    const push = this.pushing.then(async () => {
      if (this.pushed === head) return;
      const branch = this.ledger.state.integrationBranch;
      await pushCommit(this.prepared.git, this.setting.remote, head, baseRef(branch));
      this.pushed = head;
    });
    this.pushing = push.catch(() => {});
    return push;
  }

  private async jobData(runtime: TaskRuntime, attempt: number, base: string): Promise<JobData> {
    const { task, record } = runtime;
    const verifyFile = qualityOf(runtime).verifyOutputFile;
    const verifyOutput = verifyFile
      ? await readFile(verifyFile, "utf8").catch(() => undefined)
      : undefined;
    return {
      repository: this.repository,
      runId: this.prepared.runId,
      taskId: runtime.id,
      attempt,
      baseRef: baseRef(this.ledger.state.integrationBranch),
      baseCommit: base,
      branch: record.branch,
      task: {
        title: task.title,
        body: task.body,
        file: task.file,
        labels: task.labels,
        ...(task.phases ? { phases: task.phases } : {}),
      },
      ...(runtime.lastFailure !== undefined ? { previousFailure: runtime.lastFailure } : {}),
      ...(verifyOutput !== undefined ? { verifyOutput } : {}),
      verify: this.setting.verifyOn === "workers",
      output: true,
    };
  }

  /** A verify that failed on the worker: its log's end, where the verify loop reads it. */
  private async keepVerifyLog(runtime: TaskRuntime, attempt: number, text: string): Promise<void> {
    const file = logPath(this.ledger.dir, runtime.id, "verify", attempt);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }

  /** At the end of the run: a finished run's registry entry goes, so late jobs are refused. */
  close(finished: boolean): Promise<void> {
    return this.jobs.close(finished);
  }
}

function failed(failure: NonNullable<QueueResult["failure"]>): RemoteAttempt {
  return { outcome: { kind: "failed", failure }, verified: false };
}

/** A job the worker failed outright: refused (not retried), or stalled too often (retried). */
function jobFailure(reason: string): NonNullable<QueueResult["failure"]> {
  if (reason === "cancelled")
    return { reason: "interrupted", detail: "cancelled", retryable: false };
  if (reason.startsWith("refused"))
    return { reason: "remote", detail: `the worker ${reason}`, retryable: false };
  return { reason: "crash", detail: `the queue failed the job: ${reason}`, retryable: true };
}
