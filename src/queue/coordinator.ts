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
import { Job, Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { type QueueSetting, queueSettings } from "../config/queue-setting.js";
import type { AgentOutcome } from "../run/agent-attempt.js";
import type { Integration } from "../run/lane-pool.js";
import type { Ledger } from "../run/ledger.js";
import { qualityOf } from "../run/phases.js";
import type { PreparedRun } from "../run/prepare.js";
import type { TaskRuntime } from "../run/task-runtime.js";
import { logPath } from "../state/layout.js";
import { remoteUrl } from "./checks.js";
import { bullConnection, redisOptions } from "./connection.js";
import {
  type JobData,
  JobDataSchema,
  ProgressSchema,
  type QueueResult,
  ResultSchema,
} from "./contract.js";
import { QueueHealth } from "./health.js";
import {
  baseRef,
  CANCEL_CHANNEL,
  jobId,
  QUEUE_NAME,
  QUEUE_PREFIX,
  REGISTRY_KEY,
  runKey,
} from "./names.js";
import { ProgressRelay } from "./progress-relay.js";
import { fetchCommit, pushCommit, RemoteError } from "./remote.js";

/** How often jobs are looked at directly, besides the events: missed events, an emptied Redis. */
const POLL_MS = 2000;

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

interface Waiting {
  id: string;
  data: JobData;
  relay: ProgressRelay;
  resolve: (result: QueueResult | string) => void;
}

export class QueueCoordinator {
  private readonly waiting = new Map<string, Waiting>();
  private pushed: string | undefined;
  private pushing: Promise<void> = Promise.resolve();
  private readonly poller: NodeJS.Timeout;
  private polling = false;

  private constructor(
    private readonly prepared: PreparedRun,
    private readonly ledger: Ledger,
    private readonly setting: QueueSetting,
    private readonly repository: string,
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly health: QueueHealth,
    private readonly hooks: CoordinatorHooks,
  ) {
    events.on("progress", ({ jobId, data }) => {
      const parsed = ProgressSchema.safeParse(data);
      if (parsed.success) this.waiting.get(jobId)?.relay.tell(parsed.data);
    });
    events.on("completed", ({ jobId, returnvalue }) => this.settle(jobId, returnvalue));
    events.on("failed", ({ jobId, failedReason }) => this.settle(jobId, failedReason ?? "failed"));
    this.poller = setInterval(() => void this.poll(), POLL_MS);
  }

  static async open(prepared: PreparedRun, ledger: Ledger, hooks: CoordinatorHooks) {
    const setting = queueSettings(prepared.settings.queue);
    const connection = bullConnection(setting.url!);
    const repository = await remoteUrl(prepared.git, setting.remote);
    const redis = new Redis(redisOptions(setting.url!));
    const say = (message: string) => ledger.emit({ type: "warning", message });
    let coordinator: QueueCoordinator | undefined;
    const health = new QueueHealth(redis, setting.url!, setting.timeoutMs, {
      say,
      onBack: () => void coordinator?.poll(),
      onGone: hooks.onGone,
    });
    const queue = new Queue(QUEUE_NAME, { connection, prefix: QUEUE_PREFIX });
    const events = new QueueEvents(QUEUE_NAME, { connection, prefix: QUEUE_PREFIX });
    // Errors are told by the health watch; unhandled, they would end the process.
    queue.on("error", () => {});
    events.on("error", () => {});
    await events.waitUntilReady();
    coordinator = new QueueCoordinator(
      prepared,
      ledger,
      setting,
      repository,
      redis,
      queue,
      events,
      health,
      hooks,
    );
    return coordinator;
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
        result = await this.run(
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
    const worktree = await lane();
    await this.prepared.git.run(["reset", "--quiet", "--hard", result.commit!], { cwd: worktree });
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
    const job = await Job.fromId(this.queue, id);
    const data = JobDataSchema.safeParse(job?.data);
    if (!job || !data.success) return undefined;
    const base = data.data.baseCommit;
    const state = await job.getState();
    if (state === "completed" || state === "failed" || state === "unknown") {
      const result = ResultSchema.safeParse(job.returnvalue);
      return result.success && result.data.kind === "ok"
        ? { result: result.data, base }
        : undefined;
    }
    this.ledger.emit({
      type: "warning",
      message: `${runtime.id}: attempt ${attempt} still runs on a worker; waiting for it`,
    });
    return { result: await this.run(id, data.data, relay, signal), base };
  }

  /** Adds the job (a no-op when it exists) and waits for its result or its failure. */
  private run(id: string, data: JobData, relay: ProgressRelay, signal: AbortSignal) {
    return new Promise<QueueResult | string>((resolve, reject) => {
      const onAbort = () => {
        this.waiting.delete(id);
        // Fire and forget: Redis may be the reason the run stops.
        void this.redis.publish(CANCEL_CHANNEL, id).catch(() => {});
        void this.queue.remove(id).catch(() => {});
        resolve("cancelled");
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.set(id, {
        id,
        data,
        relay,
        resolve: (result) => {
          signal.removeEventListener("abort", onAbort);
          this.waiting.delete(id);
          resolve(result);
        },
      });
      this.add(id, data).catch(reject);
    });
  }

  private async add(id: string, data: JobData): Promise<void> {
    await this.redis.hset(
      REGISTRY_KEY,
      runKey(this.repository, this.prepared.runId),
      this.repository,
    );
    await this.queue.add(`${data.taskId} ${data.attempt}`, data, {
      jobId: id,
      attempts: 1,
      removeOnComplete: { age: 7 * 86_400 },
      removeOnFail: { age: 7 * 86_400 },
    });
  }

  private settle(id: string, value: unknown): void {
    const waiting = this.waiting.get(id);
    if (!waiting) return;
    if (typeof value === "string") {
      waiting.resolve(value);
      return;
    }
    const parsed = ResultSchema.safeParse(value);
    waiting.resolve(
      parsed.success ? parsed.data : `the worker's result does not parse: ${parsed.error.message}`,
    );
  }

  /** Each job waited for, looked at directly: ended, or missing (a Redis that restarted empty). */
  private async poll(): Promise<void> {
    if (this.polling || !this.health.isUp || this.waiting.size === 0) return;
    this.polling = true;
    try {
      for (const waiting of [...this.waiting.values()]) {
        const job = await Job.fromId(this.queue, waiting.id);
        if (!job) {
          await this.add(waiting.id, waiting.data);
          continue;
        }
        const state = await job.getState();
        if (state === "completed") this.settle(waiting.id, job.returnvalue);
        else if (state === "failed") this.settle(waiting.id, job.failedReason || "failed");
      }
    } catch {
      // Redis went away in the middle: the health watch tells it, the next poll tries again.
    } finally {
      this.polling = false;
    }
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
  async close(finished: boolean): Promise<void> {
    clearInterval(this.poller);
    this.health.dispose();
    const quick = <T>(work: Promise<T>) =>
      Promise.race([work.catch(() => {}), new Promise((done) => setTimeout(done, 2000).unref())]);
    if (finished && this.health.isUp)
      await quick(this.redis.hdel(REGISTRY_KEY, runKey(this.repository, this.prepared.runId)));
    if (this.health.isUp) {
      await quick(this.events.close());
      await quick(this.queue.close());
    }
    // Whatever still reconnects (a Redis that is gone) must not keep the process alive.
    await quick(this.events.disconnect());
    await quick(this.queue.disconnect());
    this.redis.disconnect();
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
