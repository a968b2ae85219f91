/**
 * run.json: the state of a run, what a later process (`lanes resume`, `lanes status`) knows of it.
 * Written atomically by one store; read through a schema, so that a corrupt or foreign file is a
 * clear error naming it rather than a crash somewhere later.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { QueueLayer } from "../config/queue-setting.js";
import { describeIssues } from "../config/zod-issues.js";
import { LanesError } from "../errors.js";
import type { FailureReason, TaskRunStatus, TokenUsage } from "../run/events.js";
import { writeFileAtomic } from "./atomic.js";
import { writeFailureText } from "./disk-errors.js";

export type RunStatus = "running" | "done" | "failed" | "interrupted" | "abandoned";

/**
 * What run.json records of a running process group lanes started (an agent, a verify command),
 * so that a later process can end exactly it.
 */
export interface ProcessRecord {
  /** The leader's pid, which is also its process group id. */
  pgid: number;
  /** Milliseconds since the epoch; with the pid, it tells a reused pid from ours. */
  startedAt: number;
}

/** @deprecated the same as ProcessRecord, the name it had when only agents were recorded. */
export type AgentRecord = ProcessRecord;

export interface TaskState {
  status: TaskRunStatus;
  attempts: number;
  branch: string;
  worktree: string | undefined;
  /** The commit the lane started from. */
  startCommit: string | undefined;
  reason: FailureReason | undefined;
  detail: string | undefined;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  durationMs: number | undefined;
  logPath: string | undefined;
  agent: ProcessRecord | undefined;
  /** The task's verify command while it runs: ended like an agent by resume's sweep. */
  verify?: ProcessRecord | undefined;
  /** The lane's setup command while it runs (`lane.setup`): ended like an agent by resume's sweep. */
  setup?: ProcessRecord | undefined;
  /** The lane's setup finished: it runs once per lane, not once per attempt. */
  setupDone?: boolean | undefined;
  /** The block of ports the running lane holds (LANES_PORT is `first`). */
  ports?: { first: number; last: number } | undefined;
  /** What lanes linked or copied into the lane that git does not ignore there: never committed. */
  keptOutOfCommits?: string[] | undefined;
  mergeCommit: string | undefined;
  tokens: TokenUsage | undefined;
  cost: number | undefined;
  sessionId: string | undefined;
  /** The GitHub issue the task comes from. */
  issue?: number | undefined;
  /** The task's pull request (`--pr`), once opened or updated. */
  pullRequest?: PullRequestRecord | undefined;
  /** The quality loop's progress (quality/progress.ts): kept so that resume goes on from it. */
  quality?: QualityRecord | undefined;
}

/** A pull request lanes opened or updated, and the commit its head branch was pushed at. */
export interface PullRequestRecord {
  url: string;
  number: number;
  base: string;
  head: string;
  /** The commit pushed: where a task stacked on this one starts. */
  commit: string;
}

/** Where a task is in its phases, its loops and its last verdict. */
export interface QualityRecord {
  /** What the task does now or did last: spec, exec, qa, verifying, resolving, merging. */
  phase?: string | undefined;
  /** How many times each agent phase ran (numbers its logs and LANES_ATTEMPT). */
  runs?: Record<string, number> | undefined;
  /** The spec's plan, stored in the run folder once the spec phase finished. */
  planFile?: string | undefined;
  /** qa's needs_work verdicts sent back to exec so far, and failed verifies fed back. */
  qaLoops?: number | undefined;
  verifyLoops?: number | undefined;
  verdict?: string | undefined;
  findings?: string[] | undefined;
  /** The failing tests of the last failed verify, in the run folder, for the next exec prompt. */
  verifyOutputFile?: string | undefined;
}

export interface RunOptionsRecord {
  mode: string;
  concurrency: number;
  retries: number;
  timeout: string;
  batches: string[][] | undefined;
  land: boolean;
  /** `--pr`, `--draft`, `--comment`, for a resumed run to go on with. */
  pr?: boolean | "run" | undefined;
  draft?: boolean | undefined;
  comment?: boolean | undefined;
  /** `--queue` (issue 14): a resumed run re-attaches to the same queue. */
  queue?: QueueLayer | undefined;
}

export interface RunState {
  version: 1;
  id: string;
  status: RunStatus;
  /** The orchestrator process, for the lock and for `lanes status`. */
  pid: number;
  /** Its start time in clock ticks (/proc): with the pid, tells it from a process reusing the pid. */
  pidStartTicks?: number | undefined;
  startedAt: number;
  finishedAt: number | undefined;
  repoRoot: string;
  baseCommit: string;
  baseBranch: string | undefined;
  integrationBranch: string;
  worktreeRoot: string;
  options: RunOptionsRecord;
  /** Task ids in plan order. */
  order: string[];
  tasks: Record<string, TaskState>;
  /** `--pr run`: the run's pull request, once opened or updated. */
  pullRequest?: PullRequestRecord | undefined;
}

/**
 * The orchestrator's one writer of run.json. Writes are atomic and serialised: each `save()`
 * snapshots the state at call time and lands after every earlier one, so the file on disk only
 * ever moves forward.
 */
export class RunStateStore {
  private writing: Promise<void> | undefined;
  private again = false;
  /** Why the last write failed; cleared by a write that succeeds (a disk that has room again). */
  private failure: unknown;

  constructor(
    readonly file: string,
    readonly state: RunState,
    /** Called when a write fails after the one before it succeeded: the run must not go on blind. */
    private readonly onFailure?: (why: string) => void,
  ) {}

  /**
   * Saves the state as it is when the write starts. Calls during a write coalesce into one
   * more write after it, so a burst of changes costs two writes, not one per change.
   */
  save(): Promise<void> {
    if (this.writing) {
      this.again = true;
      return this.writing;
    }
    this.writing = (async () => {
      do {
        this.again = false;
        try {
          await writeFileAtomic(this.file, `${JSON.stringify(this.state, null, 2)}\n`);
          this.failure = undefined;
        } catch (error) {
          const first = this.failure === undefined;
          this.failure = error;
          if (first) this.onFailure?.(`cannot write ${this.file}: ${writeFailureText(error)}`);
        }
      } while (this.again);
      this.writing = undefined;
    })();
    return this.writing;
  }

  /** Why the last write failed, in words; undefined when it succeeded. */
  get unsaved(): string | undefined {
    return this.failure === undefined
      ? undefined
      : `cannot write ${this.file}: ${writeFailureText(this.failure)}`;
  }

  /** Waits for every pending write; throws when the last one failed (a full disk, say). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.failure) {
      throw new LanesError("E_IO", this.unsaved!, {
        hint: "check the disk space and the permissions of .lanes/runs",
        exitCode: 1,
        cause: this.failure,
      });
    }
  }

  /** Waits for every pending write, whatever came of them. */
  async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }
}

/** Reads run.json; a missing, truncated or corrupt file is a clear error naming it. */
export async function readRunState(file: string): Promise<RunState> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new LanesError("E_STATE", `cannot read ${file}: ${(error as Error).message}`, {
      hint: "run `lanes status` to list the runs lanes knows",
    });
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    throw new LanesError("E_STATE", `${file} is corrupt or truncated (not valid JSON)`, {
      hint: "lanes writes run.json atomically, so something else changed it; delete the run folder or start a fresh run with `lanes run --yes`",
    });
  }
  const parsed = runStateSchema.safeParse(state);
  if (!parsed.success) {
    const version = (state as { version?: unknown } | null)?.version;
    const why = version === 1 ? `: ${describeIssues(parsed.error)}` : "";
    throw new LanesError("E_STATE", `${file} is not a lanes run record (version 1)${why}`, {
      hint: "delete the run folder, or start a fresh run with `lanes run --yes`",
    });
  }
  // Validated: the schema holds what the code reads, and keeps keys a newer lanes added.
  return parsed.data as RunState;
}

const optional = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((v) => v ?? undefined);
const count = z.number().int().nonnegative();
const processRecord = z.object({ pgid: z.number().int(), startedAt: z.number() }).loose();

const taskStateSchema = z
  .object({
    status: z.enum(["pending", "running", "done", "failed", "skipped"]),
    attempts: count,
    branch: z.string(),
    worktree: optional(z.string()),
    startCommit: optional(z.string()),
    reason: optional(z.string()),
    detail: optional(z.string()),
    startedAt: optional(z.number()),
    finishedAt: optional(z.number()),
    durationMs: optional(z.number()),
    logPath: optional(z.string()),
    agent: optional(processRecord),
    verify: optional(processRecord),
    setup: optional(processRecord),
    setupDone: optional(z.boolean()),
    ports: optional(z.object({ first: z.number().int(), last: z.number().int() }).loose()),
    keptOutOfCommits: optional(z.array(z.string())),
    mergeCommit: optional(z.string()),
    tokens: optional(z.object({ input: z.number(), output: z.number() }).loose()),
    cost: optional(z.number()),
    sessionId: optional(z.string()),
    quality: optional(
      z
        .object({
          phase: optional(z.string()),
          runs: optional(z.record(z.string(), count)),
          planFile: optional(z.string()),
          qaLoops: optional(count),
          verifyLoops: optional(count),
          verdict: optional(z.string()),
          findings: optional(z.array(z.string())),
          verifyOutputFile: optional(z.string()),
        })
        .loose(),
    ),
  })
  .loose();

/** run.json as lanes reads it back. */
const runStateSchema = z
  .object({
    version: z.literal(1),
    id: z.string().min(1),
    status: z.enum(["running", "done", "failed", "interrupted", "abandoned"]),
    pid: z.number().int(),
    pidStartTicks: optional(z.number()),
    startedAt: z.number(),
    finishedAt: optional(z.number()),
    repoRoot: z.string(),
    baseCommit: z.string(),
    baseBranch: optional(z.string()),
    integrationBranch: z.string(),
    worktreeRoot: z.string(),
    options: z
      .object({
        mode: z.string(),
        concurrency: z.number(),
        retries: z.number(),
        timeout: z.union([z.string(), z.number()]),
        batches: optional(z.array(z.array(z.string()))),
        land: z.boolean(),
      })
      .loose(),
    order: z.array(z.string()),
    tasks: z.record(z.string(), taskStateSchema),
  })
  .loose()
  .refine((state) => state.order.every((id) => id in state.tasks), {
    message: "order names a task that tasks does not hold",
    path: ["order"],
  });

/** A task as a new run records it: pending, on its lane branch, nothing tried yet. */
export function emptyTaskState(branch: string): TaskState {
  return {
    status: "pending",
    attempts: 0,
    branch,
    worktree: undefined,
    startCommit: undefined,
    reason: undefined,
    detail: undefined,
    startedAt: undefined,
    finishedAt: undefined,
    durationMs: undefined,
    logPath: undefined,
    agent: undefined,
    mergeCommit: undefined,
    tokens: undefined,
    cost: undefined,
    sessionId: undefined,
  };
}

/** How many tasks are in each status: of a run's records, a result's tasks, a report's rows. */
export function countStatuses(
  tasks: Iterable<{ status: TaskRunStatus }>,
): Record<TaskRunStatus, number> {
  const counts: Record<TaskRunStatus, number> = {
    pending: 0,
    running: 0,
    done: 0,
    failed: 0,
    skipped: 0,
  };
  for (const task of tasks) counts[task.status]++;
  return counts;
}
