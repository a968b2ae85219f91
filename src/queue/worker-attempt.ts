/**
 * One job on a worker, with the engine's own pieces: the lane (addLane, in the cached clone at
 * the job's base commit), its setup (LaneLife), the phases (runPhases and runAgentAttempt), the
 * commit (commitAll) and verify (landing's), then a push of the lane. What they need of a run —
 * settings, a ledger, process groups — is a small context of the worker's own: settings come from
 * the repository's committed `.lanes/settings.json` at that commit and the worker's user settings
 * and environment, never from the job; the ledger's events go back as progress.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { resolveAgent } from "../agents/presets.js";
import { loadPromptTemplate, loadPromptTemplates } from "../agents/prompt.js";
import { loadSettings } from "../config/load.js";
import { laneProblem } from "../git/lane-check.js";
import { commitAll } from "../git/merge.js";
import { addLane, lanePath, removeLane } from "../git/worktrees.js";
import type { AgentOutcome, AttemptContext } from "../run/agent-attempt.js";
import type { AttemptFailure } from "../run/attempt.js";
import { failureOfError } from "../run/failure-of-error.js";
import { verify } from "../run/landing.js";
import { LaneLife } from "../run/lane-life.js";
import { Ledger } from "../run/ledger.js";
import { LiveGroups } from "../run/live-groups.js";
import { qualityOf, runPhases } from "../run/phases.js";
import type { PreparedRun } from "../run/prepare.js";
import { RunLeftovers } from "../run/run-leftovers.js";
import { TaskRuntime } from "../run/task-runtime.js";
import { logPath, verifyOutputPath } from "../state/layout.js";
import { emptyTaskState, type RunState } from "../state/run-state.js";
import { loadTasks } from "../tasks/load.js";
import type { Task } from "../tasks/task.js";
import type { Clone } from "./clones.js";
import type { JobData, Progress, QueueResult } from "./contract.js";
import { RemoteError } from "./remote.js";

/** The end of a failed verify's log that goes back for the coordinator's feedback loop. */
const VERIFY_LOG_CHARS = 60_000;

export interface WorkerJob {
  data: JobData;
  clone: Clone;
  worker: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  report: (progress: Progress) => void;
}

export async function runJob(job: WorkerJob): Promise<QueueResult> {
  const { data, clone } = job;
  const started = Date.now();
  const result = (fields: Partial<QueueResult> & Pick<QueueResult, "kind">): QueueResult => ({
    repository: data.repository,
    runId: data.runId,
    taskId: data.taskId,
    attempt: data.attempt,
    worker: job.worker,
    verified: false,
    durationMs: Date.now() - started,
    ...fields,
  });
  const fail = (failure: AttemptFailure) => result({ kind: "failed", failure });
  let lane: string | undefined;
  let ctx: AttemptContext | undefined;
  try {
    await clone.fetch(data.baseRef, data.baseCommit);
    const where = lanePath(clone.lanesRoot(data.runId), data.taskId);
    await clone.dropped(where);
    const made = await addLane(clone.git, {
      root: clone.lanesRoot(data.runId),
      path: where,
      branch: data.branch,
      startPoint: data.baseCommit,
      existingBranch: "reset",
    });
    lane = made.path;
    const attempt = await attemptIn(job, lane);
    ctx = attempt.ctx;
    if (attempt.outcome.kind === "cancelled") return result({ kind: "cancelled" });
    if (attempt.outcome.kind === "failed") return fail(attempt.outcome.failure);
    const { runtime } = attempt;
    const broken = await laneProblem(lane, data.branch);
    if (broken) return fail({ reason: "git", detail: broken, retryable: false });
    const { commit } = await commitAll(
      clone.git,
      lane,
      `${data.task.title}\n\nlanes task ${data.taskId} (run ${data.runId})`,
      runtime.record.keptOutOfCommits,
    );
    const usage = { tokens: runtime.record.tokens, cost: runtime.record.cost };
    if (commit === data.baseCommit) {
      return fail({
        reason: "no_changes",
        detail: "the agent exited 0 but changed no file",
        retryable: false,
      });
    }
    let verified = false;
    if (data.verify && ctx.prepared.settings.verify) {
      ctx.ledger.emit({ type: "task_step", taskId: data.taskId, step: "verifying" });
      const outcome = await verify(
        { ...ctx, integration: { branch: data.baseRef, head: data.baseCommit } },
        runtime,
        data.attempt,
        lane,
        job.signal,
      );
      if (outcome.kind === "aborted") return result({ kind: "cancelled" });
      if (outcome.kind === "failed") {
        const log = logPath(ctx.ledger.dir, data.taskId, "verify", data.attempt);
        const text = await readFile(log, "utf8").catch(() => "");
        return result({
          kind: "failed",
          failure: outcome.failure,
          verifyLog: text.slice(-VERIFY_LOG_CHARS),
          ...defined(usage),
        });
      }
      verified = true;
    }
    await clone.push(commit, data.branch, lane);
    return result({ kind: "ok", commit, verified, ...defined(usage) });
  } catch (error) {
    if (error instanceof RemoteError) return fail(error.failure);
    if (job.signal.aborted) return result({ kind: "cancelled" });
    return fail(failureOfError(error, [clone.root]));
  } finally {
    // The job's own hooks go with it: a worker runs many jobs in one process.
    ctx?.groups.dispose();
    ctx?.leftovers.release();
    await ctx?.ledger.close().catch(() => {});
    // The lane goes after the result is handed over: its removal costs the job nothing.
    if (lane) {
      const gone = lane;
      clone.dropLater(gone, () =>
        removeLane(clone.git, gone, { deleteBranch: true, force: true, branch: data.branch }),
      );
    }
  }
}

function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/** Setup and phases in the lane, under a context made for this one job. */
async function attemptIn(
  job: WorkerJob,
  lane: string,
): Promise<{ outcome: AgentOutcome; runtime: TaskRuntime; ctx: AttemptContext }> {
  const { data } = job;
  const task = await taskOf(data, lane);
  const ctx = await contextFor(job, lane, task);
  const record = emptyTaskState(data.branch);
  Object.assign(record, { startCommit: data.baseCommit, worktree: lane });
  ctx.ledger.state.tasks[data.taskId] = record;
  ctx.ledger.state.order.push(data.taskId);
  const runtime = new TaskRuntime(task, record, 0);
  if (data.previousFailure !== undefined) runtime.lastFailure = data.previousFailure;
  if (data.verifyOutput !== undefined) {
    const file = verifyOutputPath(ctx.ledger.dir, data.taskId, 1);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data.verifyOutput);
    qualityOf(runtime).verifyOutputFile = file;
  }
  const life = new LaneLife(ctx.prepared, ctx.ledger, ctx.groups);
  try {
    const outcome =
      (await life.ready(runtime, lane, job.signal)) ??
      (await runPhases(ctx, runtime, data.attempt, lane, job.signal));
    return { outcome, runtime, ctx };
  } finally {
    life.release(runtime);
  }
}

/**
 * The task as the job gives it (title and body are data), with the agent and phases of its task
 * file at the base commit when it has one there: a job never chooses what runs.
 */
async function taskOf(data: JobData, lane: string): Promise<Task> {
  const committed = await loadTasks(lane).catch(() => [] as Task[]);
  const own = committed.find((task) => task.id === data.taskId);
  return {
    id: data.taskId,
    title: data.task.title,
    body: data.task.body,
    dependsOn: [],
    labels: data.task.labels,
    status: "ready",
    files: [],
    file: data.task.file,
    branch: data.branch,
    ...(own?.agent ? { agent: own.agent } : {}),
    ...(data.task.phases ? { phases: data.task.phases } : {}),
  };
}

/** What the engine's pieces need of a run, for one job: its settings, a ledger, its groups. */
async function contextFor(job: WorkerJob, lane: string, task: Task): Promise<AttemptContext> {
  const { data, clone } = job;
  const { settings } = await loadSettings({ repoRoot: lane, env: job.env });
  const agent = resolveAgent(task.agent ?? settings.agent, { repoRoot: lane });
  const prepared = {
    runId: data.runId,
    repoRoot: lane,
    git: clone.git,
    settings,
    tasks: new Map([[task.id, task]]),
    agents: new Map([[task.id, agent]]),
    promptTemplate: await loadPromptTemplate(lane, "exec"),
    promptTemplates: await loadPromptTemplates(lane, ["spec", "qa", "resolve"]),
    mode: "parallel",
    batches: undefined,
    baseCommit: data.baseCommit,
    baseBranch: undefined,
    warnings: [],
    dirty: [],
    worktreeRoot: clone.lanesRoot(data.runId),
    timeoutMs: settings.timeoutMs,
    graceMs: settings.gracePeriodMs,
    laneFiles: { root: lane, links: [], copies: [], notes: [] },
    github: undefined,
    // No plan: a job is one task, and nothing an attempt runs reads the run's plan.
  } as Omit<PreparedRun, "plan"> as PreparedRun;
  // Each job keeps its logs in a run folder of its own in the clone: jobs of one run may share a worker.
  const folder = `${data.runId}.${data.taskId}.${data.attempt}`;
  const state = workerState(prepared, folder);
  let log = "";
  const ledger = new Ledger(folder, clone.root, state, (event) => {
    if (event.type === "task_started") log = `${event.phase}.${event.attempt}`;
    if (event.type === "task_output") return lines.push(log, event.line);
    // Output told so far goes first, so that the coordinator's log and events keep their order.
    lines.flush();
    job.report({ kind: "event", worker: job.worker, event: { ...event } });
  });
  const lines = new LineBatch((name, batch) =>
    job.report({ kind: "output", worker: job.worker, log: name, lines: batch }),
  );
  job.signal.addEventListener("abort", () => lines.flush(), { once: true });
  return {
    prepared,
    options: { streamOutput: data.output },
    ledger,
    groups: new LiveGroups(),
    leftovers: new RunLeftovers(ledger, data.runId, prepared.graceMs),
    hooks: { onUsage: () => {}, onRateLimited: () => {}, stopping: () => job.signal.aborted },
  };
}

function workerState(prepared: PreparedRun, folder: string): RunState {
  return {
    version: 1,
    id: folder,
    status: "running",
    pid: process.pid,
    startedAt: Date.now(),
    finishedAt: undefined,
    repoRoot: prepared.repoRoot,
    baseCommit: prepared.baseCommit,
    baseBranch: undefined,
    integrationBranch: "",
    worktreeRoot: prepared.worktreeRoot,
    options: {
      mode: "parallel",
      concurrency: 1,
      retries: 0,
      timeout: "",
      batches: undefined,
      land: false,
    },
    order: [],
    tasks: {},
  };
}

/** Output lines sent a batch at a time (every 300 ms), not one progress message each. */
class LineBatch {
  private name = "";
  private batch: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly send: (name: string, lines: string[]) => void) {}

  push(name: string, line: string): void {
    if (name !== this.name) this.flush();
    this.name = name;
    this.batch.push(line);
    this.timer ??= setTimeout(() => this.flush(), 300);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length > 0) this.send(this.name, this.batch);
    this.batch = [];
  }
}

export const defaultWorkerName = (): string => `${os.hostname()}:${process.pid}`;
