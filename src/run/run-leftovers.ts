/**
 * Nothing a run started outlives it: at the end of every agent or verify attempt, what the
 * attempt left running (daemons in new sessions, double forks) is ended, and at the end of the
 * run whatever still carries its marker. Each attempt runs in a cgroup of its own where Linux
 * allows (cgroup.ts); the environment sweep (LANES_RUN_ID, and LANES_TASK_ID for one task's
 * attempt, so another task's agent is never touched) runs after it either way. What had to be
 * ended is told as a `processes_ended` event.
 */
import { openRunCgroup, type ProcessCgroup, type RunCgroup } from "../agents/cgroup.js";
import { type EndedProcess, endMarkedProcesses, killMarkedProcessesNow } from "../agents/sweep.js";
import type { LeftoverSource } from "./events.js";
import type { Ledger } from "./ledger.js";

/** One attempt's processes: adopt the leader once spawned, end what is left once it exited. */
export interface AttemptScope {
  adopt(pid: number): void;
  end(): Promise<void>;
}

export class RunLeftovers {
  private cgroup: RunCgroup | undefined;
  private opened = false;
  /**
   * lanes exiting at once (a second Ctrl-C calls process.exit) cannot wait for a sweep: SIGKILL
   * to the run's cgroup and its marked processes, synchronously, as the process goes.
   */
  private readonly onExit = (): void => {
    killMarkedProcessesNow({ LANES_RUN_ID: this.runId });
    this.cgroup?.killAndRemoveNow();
  };

  constructor(
    private readonly ledger: Ledger,
    private readonly runId: string,
    private readonly graceMs: number,
  ) {}

  /** How this run ends leftovers: "cgroup" where it could make one, else "environment". */
  get how(): "cgroup" | "environment" {
    return this.runCgroup() ? "cgroup" : "environment";
  }

  /** A scope for one attempt of `taskId` (`source` says whose: the agent's or verify's). */
  attempt(taskId: string, source: LeftoverSource, attempt: number): AttemptScope {
    // From the first attempt on: a run that never started one leaves no listener.
    process.off("exit", this.onExit);
    process.on("exit", this.onExit);
    let cgroup: ProcessCgroup | undefined;
    let adopted = false;
    return {
      adopt: (pid) => {
        // Made here, not before: an attempt that never starts a process leaves no empty cgroup.
        cgroup = this.runCgroup()?.child(`${taskId}.${source}.${attempt}`);
        adopted = cgroup?.adopt(pid) ?? false;
      },
      end: async () => {
        const fromCgroup = cgroup ? await cgroup.end(this.graceMs) : [];
        const marked = await endMarkedProcesses(
          { LANES_RUN_ID: this.runId, LANES_TASK_ID: taskId },
          this.graceMs,
        );
        this.tell(taskId, source, adopted ? "cgroup" : "environment", [...fromCgroup, ...marked]);
      },
    };
  }

  /**
   * Lets go of the exit hook without ending anything: for an owner of a single attempt (a queue
   * worker's job) whose attempt already ended its own, while other jobs of the run go on.
   */
  release(): void {
    process.off("exit", this.onExit);
  }

  /** At the end of the run: everything still carrying its marker, then its cgroup. */
  async endRun(): Promise<void> {
    process.off("exit", this.onExit);
    const cgroup = this.runCgroup();
    const fromCgroup = cgroup ? await cgroup.end(this.graceMs) : [];
    const marked = await endMarkedProcesses({ LANES_RUN_ID: this.runId }, this.graceMs);
    this.tell(undefined, "run", cgroup ? "cgroup" : "environment", [...fromCgroup, ...marked]);
  }

  private runCgroup(): RunCgroup | undefined {
    if (!this.opened) {
      this.opened = true;
      this.cgroup = openRunCgroup(this.runId);
    }
    return this.cgroup;
  }

  private tell(
    taskId: string | undefined,
    source: LeftoverSource,
    how: "cgroup" | "environment",
    ended: EndedProcess[],
  ): void {
    const unique = [...new Map(ended.map((p) => [p.pid, p])).values()];
    if (unique.length === 0) return;
    this.ledger.emit({ type: "processes_ended", taskId, source, how, processes: unique });
  }
}
