/**
 * The run's lanes: creating each task's worktree once (from the integration branch, or from the
 * previous lane in a chain), preparing a few ahead of free slots, and dropping them when their
 * work is merged or was never started. A lane comes from the worktree pool when it has one
 * (src/git/pool.ts) and goes back to it when merged; git's records of dropped lanes and their
 * branches go in one process at the end.
 */
import { readHeadFile } from "../git/head-file.js";
import { WorktreePool } from "../git/pool.js";
import { dropStaging } from "../git/register-lane.js";
import { addLane, dropLaneFolder, lanePath, pruneLanes } from "../git/worktrees.js";
import { laneCone, withTaskFile } from "../lane/sparse-cone.js";
import { LaneQueue } from "./lane-queue.js";
import type { Ledger } from "./ledger.js";
import type { PreparedRun } from "./prepare.js";
import type { TaskRuntime } from "./task-runtime.js";

/** The integration branch and its head, as lanes last wrote it. */
export interface Integration {
  readonly branch: string;
  /** A commit, not the branch name, so that no git process is needed to ask. */
  head: string;
}

/** What happens to a lane besides git's side: its files from the checkout, its teardown (lane-life.ts). */
export interface LaneHooks {
  filesInto(runtime: TaskRuntime, worktree: string): Promise<void>;
  teardown(runtime: TaskRuntime, worktree: string): Promise<void>;
}

export class LanePool {
  /** Lane branches whose folders are gone, deleted with git's records at the end of the run. */
  private readonly dropped: string[] = [];
  private readonly pool: WorktreePool;
  /**
   * As many lanes made at once as agents run (making one mostly waits on a process and the
   * disk, so fewer made fewer a second), those of starting tasks first.
   */
  private readonly queue: LaneQueue;

  constructor(
    private readonly prepared: PreparedRun,
    private readonly ledger: Ledger,
    private readonly integration: Integration,
    private readonly hooks?: LaneHooks,
    /** Where a lane starts instead of the integration branch's head (a pull request per task). */
    private readonly startPointOf?: (runtime: TaskRuntime) => string | undefined,
  ) {
    const { settings } = prepared;
    this.queue = new LaneQueue(Math.max(1, settings.concurrency));
    this.pool = new WorktreePool(prepared.git, {
      root: prepared.worktreeRoot,
      size: settings.pool?.size ?? settings.concurrency,
      // The hook for lane setup (lane.copy/link): ignored paths a reused lane may keep. Until it
      // says otherwise, a lane from the pool keeps nothing ignored, exactly like a fresh one.
      keepIgnored: [],
    });
  }

  /**
   * The task's worktree, created on first use; `after` is the chain's previous task. `urgent`
   * (the task starts now) puts it before lanes prepared ahead (lane-queue.ts).
   */
  ensure(runtime: TaskRuntime, after: TaskRuntime | undefined, urgent = true): Promise<string> {
    if (!runtime.lane) {
      // The chain's previous lane's head, before taking a place: it may wait for a landing.
      const lane = Promise.resolve(after?.head).then((afterHead) =>
        this.queue.run(runtime.id, urgent, () => this.create(runtime, afterHead)),
      );
      runtime.lane = lane;
      lane.catch(() => {
        runtime.lane = undefined;
      });
    } else if (urgent) this.queue.hurry(runtime.id);
    return runtime.lane;
  }

  /**
   * Creates the worktrees of tasks that are ready but wait for a slot (up to `ahead` of them,
   * in the order given), so that a freed slot starts the next agent at once instead of after a
   * `git worktree add`. Returns the creations started, for the caller to track.
   */
  prepareAhead(byPriority: readonly TaskRuntime[], ahead: number): Promise<unknown>[] {
    const started: Promise<unknown>[] = [];
    const { tasks } = this.ledger.state;
    for (const runtime of byPriority) {
      if (ahead <= 0) break;
      // Run statuses, not the scheduler's: a resumed run schedules only its unfinished tasks.
      if (runtime.record.status !== "pending" || runtime.record.attempts > 0) continue;
      // Started already (its attempt waits for its lane): not one of those waiting for a slot.
      if (runtime.controller) continue;
      const ready = runtime.task.dependsOn.every(
        (dep) => (tasks[dep]?.status ?? "done") === "done",
      );
      if (!ready) continue;
      ahead--;
      if (!runtime.lane)
        started.push(this.ensure(runtime, undefined, false).catch(() => undefined));
    }
    return started;
  }

  /**
   * Its work is in the integration branch: the worktree goes back to the pool (a few renames, no
   * git process, so done before its dependents start, which may take it) unless the pool is full.
   * Its branch is deleted at the end either way. False: the caller drops it with `dropMerged`.
   */
  async giveBack(runtime: TaskRuntime, lane: string): Promise<boolean> {
    const { record } = runtime;
    // The lane ends here, pooled or not: its teardown (lane.teardown) runs first.
    await this.hooks?.teardown(runtime, lane);
    // Detached where its index and files are, so that the pooled worktree shows no change.
    const commit = (await readHeadFile(lane)) ?? record.startCommit ?? this.integration.head;
    const kept = await this.pool.give(lane, commit).catch(() => false);
    if (kept) this.forget(runtime);
    return kept;
  }

  /** Its work is in the integration branch: the folder goes now, its branch at the end. */
  async dropMerged(runtime: TaskRuntime, lane: string): Promise<void> {
    await dropLaneFolder(this.prepared.worktreeRoot, lane);
    this.forget(runtime);
  }

  private forget(runtime: TaskRuntime): void {
    this.dropped.push(runtime.record.branch);
    runtime.record.worktree = undefined;
  }

  /**
   * At the end of the run: lanes prepared ahead for tasks that never started hold nothing, so
   * none is left behind; then git's records of every dropped lane and their branches go.
   */
  async close(runtimes: Iterable<TaskRuntime>): Promise<void> {
    for (const { record } of runtimes) {
      if (record.status === "pending" && record.attempts === 0 && record.worktree) {
        const commit = record.startCommit ?? this.integration.head;
        if (!(await this.pool.give(record.worktree, commit).catch(() => false))) {
          await dropLaneFolder(this.prepared.worktreeRoot, record.worktree);
        }
        this.dropped.push(record.branch);
        record.worktree = undefined;
      }
    }
    await pruneLanes(this.prepared.git, this.dropped, this.prepared.worktreeRoot).catch(() => {});
    await dropStaging(this.prepared.git);
    // lanes' own git runs skip the maintenance git starts after each commit (runner.ts): one
    // pass for the whole run instead, in the background of nothing (the agents are done).
    await this.prepared.git.run(["maintenance", "run", "--auto"], { allowFail: true });
  }

  private async create(runtime: TaskRuntime, afterHead: string | undefined): Promise<string> {
    const { prepared } = this;
    const { record, id } = runtime;
    if (record.worktree) return record.worktree;
    // Read now, not when queued: the integration branch's newest head.
    const startPoint = afterHead ?? this.startPointOf?.(runtime) ?? this.integration.head;
    const path = lanePath(prepared.worktreeRoot, id);
    const task = runtime.task;
    const sparse = withTaskFile(laneCone(prepared.settings.lane.sparse, task.files), task);
    const lane =
      (await this.pool.take(path, record.branch, startPoint, sparse).catch(() => undefined)) ??
      (await addLane(prepared.git, {
        root: prepared.worktreeRoot,
        path,
        branch: record.branch,
        startPoint,
        // prepareRun refused branches holding work; what is left holds nothing to lose.
        existingBranch: "reset",
        ...(sparse ? { sparse } : {}),
      }));
    Object.assign(record, { worktree: lane.path, startCommit: lane.head });
    await this.hooks?.filesInto(runtime, lane.path);
    this.ledger.emit({
      type: "lane_ready",
      taskId: id,
      worktree: lane.path,
      branch: record.branch,
    });
    await this.ledger.saveNow();
    return lane.path;
  }
}
