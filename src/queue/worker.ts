/**
 * `lanes worker`: takes jobs from the queue and runs each as a lane in a cached clone
 * (worker-attempt.ts), up to --concurrency at once, reporting progress and completing each job
 * with its result. A job must name a repository a live run registered (and one of --repo, when
 * given): anything else is refused. Its lease (`queue.lock`, default 30 s) is renewed while it
 * runs; a worker killed outright stops renewing, and another worker's stalled-job check takes the
 * job within about one and a half lock times. Ctrl-C (the signal) ends the agents' process groups
 * and puts the jobs back in the queue for another worker.
 */
import { homedir } from "node:os";
import path from "node:path";
import { type Job, UnrecoverableError, WaitingError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { loadSettings } from "../config/load.js";
import { queueSettings } from "../config/queue-setting.js";
import type { SettingsFile } from "../config/schema.js";
import { LanesError } from "../errors.js";
import { Clones } from "./clones.js";
import { bullConnection, redisOptions, shownUrl } from "./connection.js";
import { type JobData, JobDataSchema, type QueueResult } from "./contract.js";
import { QueueHealth } from "./health.js";
import { CANCEL_CHANNEL, jobId, QUEUE_NAME, QUEUE_PREFIX, REGISTRY_KEY, runKey } from "./names.js";
import { defaultWorkerName, runJob } from "./worker-attempt.js";

export interface WorkerOptions {
  /**
   * Settings that win over the worker's user settings and LANES_* environment, as flags do:
   * `queue` (the URL, `lock`) and `concurrency` (jobs at once) are the ones a worker reads.
   */
  settings?: SettingsFile;
  /** Where the cached clones go (default: the user's cache folder, lanes/worker). */
  dir?: string;
  /** How the worker is named in events (default host:pid). */
  name?: string;
  /** Only jobs of these repositories (remote URLs as the coordinators know them). */
  repositories?: string[];
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  onEvent?: (event: WorkerEvent) => void;
}

/** What a worker tells as it goes: the CLI prints these. */
export type WorkerEvent =
  | {
      type: "worker_ready";
      name: string;
      queue: string;
      concurrency: number;
      dir: string;
      lockMs: number;
    }
  | { type: "job_started"; runId: string; taskId: string; attempt: number; repository: string }
  | {
      type: "job_finished";
      runId: string;
      taskId: string;
      attempt: number;
      result: QueueResult["kind"];
      detail?: string;
    }
  | { type: "job_refused"; jobId: string; why: string }
  | { type: "job_returned"; runId: string; taskId: string; attempt: number }
  | { type: "warning"; message: string };

function cacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || path.join(homedir(), ".cache");
  return path.join(base, "lanes", "worker");
}

/** Runs until the signal aborts; resolves once every job is finished or back in the queue. */
export async function worker(options: WorkerOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const dir = path.resolve(options.dir ?? cacheDir(env));
  // The worker has no repository of its own: user settings, the environment and the flags.
  const { settings } = await loadSettings({
    repoRoot: dir,
    env,
    ...(options.settings ? { flags: options.settings } : {}),
  });
  const setting = queueSettings(settings.queue);
  const url = setting.url;
  if (!url) {
    throw new LanesError("E_USAGE", "lanes worker needs a queue: --queue redis://host:port", {
      hint: "give --queue, or set LANES_QUEUE or queue.url in your user settings",
    });
  }
  const { concurrency } = settings;
  const name = options.name ?? defaultWorkerName();
  const tell = (event: WorkerEvent) => options.onEvent?.(event);
  const clones = new Clones(dir);
  const running = new Map<string, AbortController>();
  /** Jobs running here: the same job handed over again (a Redis that restarted empty) joins its run. */
  const inflight = new Map<string, Promise<QueueResult>>();
  const current = new Map<string, Job>();
  let stopping = false;

  const subscriber = new Redis(redisOptions(url));
  const registry = new Redis(redisOptions(url));
  const health = new QueueHealth(registry, url, undefined, {
    say: (message) => tell({ type: "warning", message }),
    onBack: () => {},
  });
  subscriber.on("error", () => {});
  subscriber.on("message", (_channel: string, id: string) => running.get(id)?.abort());
  void subscriber.subscribe(CANCEL_CHANNEL).catch(() => {});

  const refuse = (job: Job, reason: string): never => {
    tell({ type: "job_refused", jobId: job.id ?? "?", why: reason });
    throw new UnrecoverableError(`refused ${job.id}: ${reason}`);
  };

  const processor = async (job: Job, token?: string): Promise<QueueResult> => {
    const parsed = JobDataSchema.safeParse(job.data);
    if (!parsed.success)
      return refuse(job, `its data does not parse (${parsed.error.issues[0]?.message})`);
    const data: JobData = parsed.data;
    if (job.id !== jobId(data.repository, data.runId, data.taskId, data.attempt))
      return refuse(job, "its id does not match its repository, run, task and attempt");
    if (options.repositories && !options.repositories.includes(data.repository))
      return refuse(
        job,
        `repository ${data.repository} is not one of --repo ${options.repositories.join(", ")}`,
      );
    const registered = await registry.hget(REGISTRY_KEY, runKey(data.repository, data.runId));
    if (registered !== data.repository)
      return refuse(
        job,
        `unknown repository ${data.repository}: no run ${data.runId} of it is registered`,
      );
    const id = job.id!;
    const joined = inflight.get(id);
    if (joined) {
      current.set(id, job);
      return joined;
    }
    const controller = new AbortController();
    running.set(id, controller);
    tell({
      type: "job_started",
      runId: data.runId,
      taskId: data.taskId,
      attempt: data.attempt,
      repository: data.repository,
    });
    const work = (async () =>
      runJob({
        data,
        clone: await clones.get(data.repository),
        worker: name,
        env,
        signal: controller.signal,
        // The job as last handed over: progress goes to whichever holds it now.
        report: (progress) =>
          void (current.get(id) ?? job).updateProgress(progress).catch(() => {}),
      }))();
    inflight.set(id, work);
    current.set(id, job);
    try {
      const result = await work;
      if (stopping && result.kind === "cancelled") {
        // Ctrl-C on this worker: the job goes back to the queue for another.
        await job.moveToWait(token);
        tell({
          type: "job_returned",
          runId: data.runId,
          taskId: data.taskId,
          attempt: data.attempt,
        });
        throw new WaitingError();
      }
      tell({
        type: "job_finished",
        runId: data.runId,
        taskId: data.taskId,
        attempt: data.attempt,
        result: result.kind,
        ...(result.failure ? { detail: `${result.failure.reason}: ${result.failure.detail}` } : {}),
      });
      return result;
    } finally {
      running.delete(id);
      inflight.delete(id);
      current.delete(id);
    }
  };

  const bull = new Worker(QUEUE_NAME, processor, {
    connection: bullConnection(url),
    prefix: QUEUE_PREFIX,
    concurrency,
    lockDuration: setting.lockMs,
    stalledInterval: Math.max(500, Math.round(setting.lockMs / 2)),
    maxStalledCount: 3,
    autorun: false,
  });
  bull.on("error", () => {});
  tell({
    type: "worker_ready",
    name,
    queue: shownUrl(url),
    concurrency,
    dir,
    lockMs: setting.lockMs,
  });
  const ran = bull.run();
  await new Promise<void>((resolve) => {
    if (options.signal?.aborted) return resolve();
    options.signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  stopping = true;
  for (const controller of running.values()) controller.abort();
  await bull.close();
  await ran.catch(() => {});
  health.dispose();
  subscriber.disconnect();
  registry.disconnect();
}
