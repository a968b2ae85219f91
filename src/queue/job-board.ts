/**
 * The coordinator's jobs in Redis: adding one (a no-op when its id exists), waiting for its end
 * through the queue's events and, every 2 s, by looking at it directly (an event missed, a Redis
 * that restarted empty and no longer holds the job, which is then added again), cancelling it
 * when the run stops, and the run's entry in the registry that workers check jobs against.
 */
import { Job, Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { bullConnection, redisOptions } from "./connection.js";
import {
  type JobData,
  JobDataSchema,
  ProgressSchema,
  type QueueResult,
  ResultSchema,
} from "./contract.js";
import { type HealthHooks, QueueHealth } from "./health.js";
import { CANCEL_CHANNEL, QUEUE_NAME, QUEUE_PREFIX, REGISTRY_KEY, runKey } from "./names.js";
import type { ProgressRelay } from "./progress-relay.js";

/** How often jobs are looked at directly, besides the events. */
const POLL_MS = 2000;

interface Waiting {
  id: string;
  data: JobData;
  relay: ProgressRelay;
  resolve: (result: QueueResult | string) => void;
}

/** A job found in Redis: its data, and its result once it ended well. */
export interface FoundJob {
  data: JobData;
  ended: boolean;
  result: QueueResult | undefined;
}

export class JobBoard {
  private readonly waiting = new Map<string, Waiting>();
  private readonly poller: NodeJS.Timeout;
  private polling = false;
  private readonly redis: Redis;
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly health: QueueHealth;

  constructor(
    url: string,
    timeoutMs: number,
    private readonly repository: string,
    private readonly runId: string,
    hooks: Omit<HealthHooks, "onBack">,
  ) {
    const connection = bullConnection(url);
    this.redis = new Redis(redisOptions(url));
    this.health = new QueueHealth(this.redis, url, timeoutMs, {
      ...hooks,
      onBack: () => void this.poll(),
    });
    this.queue = new Queue(QUEUE_NAME, { connection, prefix: QUEUE_PREFIX });
    this.events = new QueueEvents(QUEUE_NAME, { connection, prefix: QUEUE_PREFIX });
    // Errors are told by the health watch; unhandled, they would end the process.
    this.queue.on("error", () => {});
    this.events.on("error", () => {});
    this.events.on("progress", ({ jobId, data }) => {
      const parsed = ProgressSchema.safeParse(data);
      if (parsed.success) this.waiting.get(jobId)?.relay.tell(parsed.data);
    });
    this.events.on("completed", ({ jobId, returnvalue }) => this.settle(jobId, returnvalue));
    this.events.on("failed", ({ jobId, failedReason }) =>
      this.settle(jobId, failedReason ?? "failed"),
    );
    this.poller = setInterval(() => void this.poll(), POLL_MS);
  }

  ready(): Promise<void> {
    return this.events.waitUntilReady().then(() => {});
  }

  /** The job of that id, if Redis holds it. */
  async find(id: string): Promise<FoundJob | undefined> {
    const job = await Job.fromId(this.queue, id);
    const data = JobDataSchema.safeParse(job?.data);
    if (!job || !data.success) return undefined;
    const state = await job.getState();
    const ended = state === "completed" || state === "failed" || state === "unknown";
    const result = ResultSchema.safeParse(job.returnvalue);
    return { data: data.data, ended, result: result.success ? result.data : undefined };
  }

  /** Adds the job (a no-op when it exists) and waits for its result or its failure. */
  wait(id: string, data: JobData, relay: ProgressRelay, signal: AbortSignal) {
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
    await this.redis.hset(REGISTRY_KEY, runKey(this.repository, this.runId), this.repository);
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

  /** At the end of the run: a finished run's registry entry goes, so late jobs are refused. */
  async close(finished: boolean): Promise<void> {
    clearInterval(this.poller);
    this.health.dispose();
    const quick = <T>(work: Promise<T>) =>
      Promise.race([work.catch(() => {}), new Promise((done) => setTimeout(done, 2000).unref())]);
    if (finished && this.health.isUp)
      await quick(this.redis.hdel(REGISTRY_KEY, runKey(this.repository, this.runId)));
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
