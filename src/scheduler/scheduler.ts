/**
 * The ready queue: decides which task starts when, under a concurrency limit, and what a failure
 * does to the rest. Pure and synchronous: the caller reports what happened (agent exited, work
 * merged, backoff elapsed) and acts on the returned decisions, so that the same code runs a real
 * run and the virtual-clock simulator.
 */

import { overlappingPairs } from "./overlap.js";
import type {
  AttemptOutcome,
  Decision,
  SchedulerMode,
  SchedulerOptions,
  SchedulerTask,
  SchedulerTaskState,
} from "./types.js";
import { validateSchedule } from "./validate.js";

interface Entry {
  id: string;
  index: number;
  priority: number;
  batch: number;
  dependents: Entry[];
  state: SchedulerTaskState;
  attempts: number;
  /** Attempts that were loops of the quality loop (a failed verify fed back): not retries. */
  loops: number;
  /** Dependencies not yet done. */
  unmet: number;
  /** When the task last became startable (a sequence number, not a time): for FCFS baselines. */
  readySeq: number;
  /** Chain mode: the task whose branch this one starts from, fixed at its first start. */
  after: string | undefined;
  /** Tasks whose `files` overlap this one's: it does not start while one of them is in flight. */
  apart: Entry[];
}

/** States in which a task holds on to its files: its work is not merged (or given up) yet. */
const IN_FLIGHT: ReadonlySet<SchedulerTaskState> = new Set(["running", "waiting", "finishing"]);

const STATES: SchedulerTaskState[] = [
  "pending",
  "running",
  "waiting",
  "finishing",
  "done",
  "failed",
  "skipped",
];

export class Scheduler {
  readonly mode: SchedulerMode;
  private readonly entries: Entry[];
  private readonly byId = new Map<string, Entry>();
  private readonly tally = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<
    SchedulerTaskState,
    number
  >;
  private readonly retries: number;
  private readonly backoffMs: (attempt: number) => number;
  private requested: number;
  private stopped = false;
  /** Tasks of each batch not yet done, failed or skipped. */
  private readonly batchLeft: number[];
  private currentBatch = 0;
  private lastChainStart: string | undefined;
  private seq = 0;

  constructor(tasks: SchedulerTask[], options: SchedulerOptions) {
    const batchOf = validateSchedule(tasks, options);
    this.mode = options.mode;
    this.requested = options.concurrency;
    this.retries = options.retries;
    this.backoffMs = options.backoffMs;
    this.entries = tasks.map((task, index) => ({
      id: task.id,
      index,
      priority: task.priority,
      batch: batchOf.get(task.id)!,
      dependents: [],
      state: "pending",
      attempts: 0,
      loops: 0,
      unmet: new Set(task.dependsOn).size,
      readySeq: 0,
      after: undefined,
      apart: [],
    }));
    for (const entry of this.entries) this.byId.set(entry.id, entry);
    if (options.overlap !== "allow") {
      // A soft dependency: whichever of the pair is picked first (by priority) goes first.
      for (const { a, b } of overlappingPairs(tasks)) {
        this.byId.get(a)!.apart.push(this.byId.get(b)!);
        this.byId.get(b)!.apart.push(this.byId.get(a)!);
      }
    }
    for (const task of tasks) {
      for (const dep of new Set(task.dependsOn)) {
        this.byId.get(dep)!.dependents.push(this.byId.get(task.id)!);
      }
    }
    for (const entry of this.entries) if (entry.unmet === 0) entry.readySeq = ++this.seq;
    this.tally.pending = this.entries.length;
    this.batchLeft = Array.from({ length: (options.batches?.length ?? 0) || 1 }, () => 0);
    for (const entry of this.entries) this.batchLeft[entry.batch]!++;
    this.advanceBatch();
  }

  /** Starts tasks while slots are free. */
  poll(): Decision[] {
    const out: Decision[] = [];
    while (!this.stopped && this.busy() < this.concurrency) {
      const next = this.pickReady();
      if (next === undefined) break;
      out.push(this.start(next));
    }
    return out;
  }

  /** The agent ended: its slot is free at once; a success still needs `completed`. */
  agentExited(id: string, outcome: AttemptOutcome): Decision[] {
    const entry = this.expect(id, ["running"], "agentExited");
    if (outcome.ok) {
      this.setState(entry, "finishing");
      return this.poll();
    }
    return [...this.fail(entry, outcome.retryable), ...this.poll()];
  }

  /** Post-agent work (commit, verify, merge) finished. Only now may dependents start. */
  completed(id: string, ok: boolean, retryable = false): Decision[] {
    const entry = this.expect(id, ["finishing"], "completed");
    if (!ok) return [...this.fail(entry, retryable), ...this.poll()];
    this.setState(entry, "done");
    for (const dependent of entry.dependents) {
      dependent.unmet--;
      if (dependent.unmet === 0) dependent.readySeq = ++this.seq;
    }
    return this.poll();
  }

  /**
   * Post-agent work sent the task back to its agent (a failed verify fed back): it starts again
   * when a slot is free, without spending one of its `retries`.
   */
  loopBack(id: string): Decision[] {
    const entry = this.expect(id, ["finishing"], "loopBack");
    entry.loops++;
    this.setState(entry, "pending");
    entry.readySeq = ++this.seq;
    return this.poll();
  }

  /** The backoff of a waiting task elapsed. A stale timer (after a stop) is ignored. */
  retryDue(id: string): Decision[] {
    const entry = this.entry(id);
    if (entry.state !== "waiting") return [];
    this.setState(entry, "pending");
    entry.readySeq = ++this.seq;
    return this.poll();
  }

  /** Changes the limit at run time (never below 1); lowering only holds new starts. */
  setConcurrency(n: number): Decision[] {
    if (Number.isNaN(n)) throw new TypeError("setConcurrency: expected a number, got NaN");
    this.requested = Math.max(1, Math.floor(n));
    return this.poll();
  }

  /**
   * No new starts from now on. Waiting retries go back to pending (resume may run them).
   * Returns the `stop` decision (once) so that the caller handles every stop in one place.
   */
  stop(why: string, cancelRunning = false): Decision[] {
    if (this.stopped) return [];
    this.stopped = true;
    for (const entry of this.entries)
      if (entry.state === "waiting") this.setState(entry, "pending");
    return [{ type: "stop", why, cancelRunning }];
  }

  /** The caller ended this task's agent or post-agent work because of a stop: not a failure. */
  cancelled(id: string): Decision[] {
    // A retry that was waiting is already pending again after `stop`.
    if (this.entry(id).state === "pending") return [];
    const entry = this.expect(id, ["running", "finishing", "waiting"], "cancelled");
    this.setState(entry, "pending");
    entry.readySeq = ++this.seq;
    return this.poll();
  }

  state(id: string): SchedulerTaskState {
    return this.entry(id).state;
  }

  /** Attempts started so far (1 after the first start). */
  attempts(id: string): number {
    return this.entry(id).attempts;
  }

  /** The in-flight tasks whose overlapping `files` keep `id` from starting now (for display). */
  heldBackBy(id: string): string[] {
    return this.entry(id)
      .apart.filter((other) => IN_FLIGHT.has(other.state))
      .map((other) => other.id);
  }

  get running(): string[] {
    return this.entries.filter((e) => e.state === "running").map((e) => e.id);
  }

  get counts(): Record<SchedulerTaskState, number> {
    return { ...this.tally };
  }

  /** The limit in force: 1 in sequential and chain modes, whatever was asked. */
  get concurrency(): number {
    return this.mode === "sequential" || this.mode === "chain" ? 1 : this.requested;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Nothing in flight and nothing can ever start. */
  get isFinished(): boolean {
    const t = this.tally;
    if (t.running + t.waiting + t.finishing > 0) return false;
    return this.stopped || t.pending === 0;
  }

  /** Whether `a` should start before `b` when both are ready; the FCFS baseline overrides it. */
  protected before(a: string, b: string): boolean {
    const x = this.entry(a);
    const y = this.entry(b);
    return x.priority !== y.priority ? x.priority > y.priority : x.index < y.index;
  }

  /** Order in which tasks last became startable (dependencies met, retry due). */
  protected readyOrder(id: string): number {
    return this.entry(id).readySeq;
  }

  /**
   * Slots in use. Sequential and chain modes hold the slot until the task is done or failed,
   * because the next task must see the previous one's merged (chain: committed) work, and a
   * verify failure must stop the run before anything else starts.
   */
  private busy(): number {
    const t = this.tally;
    if (this.mode === "sequential" || this.mode === "chain") {
      return t.running + t.finishing + t.waiting;
    }
    return t.running;
  }

  private pickReady(): Entry | undefined {
    let best: Entry | undefined;
    for (const entry of this.entries) {
      if (entry.state !== "pending" || entry.unmet > 0 || entry.batch > this.currentBatch) continue;
      if (entry.apart.some((other) => IN_FLIGHT.has(other.state))) continue;
      if (best === undefined || this.before(entry.id, best.id)) best = entry;
    }
    return best;
  }

  private start(entry: Entry): Decision {
    this.setState(entry, "running");
    entry.attempts++;
    if (this.mode === "chain" && entry.attempts === 1) {
      entry.after = this.lastChainStart;
      this.lastChainStart = entry.id;
    }
    const after = this.mode === "chain" ? entry.after : undefined;
    return { type: "start", id: entry.id, attempt: entry.attempts, after };
  }

  /** A failed attempt: retry it, or fail the task, skip its dependents and apply the mode. */
  private fail(entry: Entry, retryable: boolean): Decision[] {
    if (retryable && entry.attempts - entry.loops <= this.retries) {
      // After a stop nothing is retried, but the task is not failed either: resume may run it.
      if (this.stopped) {
        this.setState(entry, "pending");
        return [];
      }
      this.setState(entry, "waiting");
      const attempt = entry.attempts + 1;
      return [
        {
          type: "retry_later",
          id: entry.id,
          attempt,
          delayMs: Math.max(0, this.backoffMs(attempt)),
        },
      ];
    }
    this.setState(entry, "failed");
    const out: Decision[] = [];
    if (this.mode !== "parallel" && !this.stopped) {
      this.stopped = true;
      out.push({
        type: "stop",
        why: `${entry.id} failed`,
        cancelRunning: this.mode === "fail-fast",
      });
    }
    out.push(...this.skipDependents(entry));
    return out;
  }

  private skipDependents(failed: Entry): Decision[] {
    const out: Decision[] = [];
    const queue = [...failed.dependents];
    for (let i = 0; i < queue.length; i++) {
      const entry = queue[i]!;
      // Already skipped through another failed dependency: each task is skipped exactly once.
      if (entry.state !== "pending") continue;
      this.setState(entry, "skipped");
      out.push({ type: "skip", id: entry.id, because: `${failed.id} failed` });
      queue.push(...entry.dependents);
    }
    return out;
  }

  private setState(entry: Entry, state: SchedulerTaskState): void {
    this.tally[entry.state]--;
    this.tally[state]++;
    entry.state = state;
    if (state === "done" || state === "failed" || state === "skipped") {
      this.batchLeft[entry.batch]!--;
      this.advanceBatch();
    }
  }

  private advanceBatch(): void {
    while (
      this.currentBatch < this.batchLeft.length - 1 &&
      this.batchLeft[this.currentBatch] === 0
    ) {
      this.currentBatch++;
    }
  }

  private entry(id: string): Entry {
    const entry = this.byId.get(id);
    if (entry === undefined) throw new Error(`Scheduler: unknown task ${JSON.stringify(id)}`);
    return entry;
  }

  private expect(id: string, states: SchedulerTaskState[], call: string): Entry {
    const entry = this.entry(id);
    if (!states.includes(entry.state)) {
      throw new Error(
        `Scheduler.${call}(${JSON.stringify(id)}): the task is ${entry.state}, expected ${states.join(" or ")}`,
      );
    }
    return entry;
  }
}
