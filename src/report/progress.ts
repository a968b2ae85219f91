import type { LandingStep, LanesEvent, TaskRunStatus } from "../run/events.js";
import { sanitizeLine } from "./text.js";

/**
 * Where a running task is: its agent holds a slot (`agent`), lanes lands its work after the
 * agent exited and freed the slot (a LandingStep), or it waits for a retry.
 */
export type TaskStep = "agent" | LandingStep | "retry";

/** What the reporters know about one task, folded from the events seen so far. */
export interface TaskView {
  id: string;
  status: TaskRunStatus;
  /** Set while the task is running. */
  step: TaskStep | undefined;
  /** When the current step began (event time): an agent's start, a landing step's start. */
  stepAt: number | undefined;
  phase: string | undefined;
  attempt: number;
  /** Queue mode: the worker running the attempt. */
  worker?: string | undefined;
  /** When the current attempt started (event time). */
  startedAt: number | undefined;
  /** Set while the task waits for a retry: when the next attempt is due. */
  retryAt: number | undefined;
  /** The agent's last output line and its last reported activity; activity wins on display. */
  lastLine: string | undefined;
  activity: string | undefined;
  /** The quality loop: `qa 2/3` (the review of at most), `verify 1/2` (a failed verify fed back). */
  loop?: string | undefined;
  /** qa's last verdict: ready, needs_work, blocked, none. */
  verdict?: string | undefined;
}

/**
 * The run's state as the event stream tells it, in the order the run listed its tasks. Shared by
 * the heartbeat and the live view so that they can never disagree about what is running.
 */
export class RunProgress {
  runId: string | undefined;
  integrationBranch: string | undefined;
  /** The agent slots: the run's concurrency, as last changed. */
  concurrency = 0;
  /** Set once the run stops starting tasks (Ctrl-C, fail-fast, a spent budget): why. */
  stopping: string | undefined;
  finished = false;
  readonly tasks = new Map<string, TaskView>();

  apply(event: LanesEvent): void {
    this.runId = event.runId;
    switch (event.type) {
      case "run_started":
        this.integrationBranch = event.integrationBranch;
        this.concurrency = event.concurrency;
        for (const id of event.tasks) this.task(id);
        break;
      case "concurrency_changed":
        this.concurrency = event.to;
        break;
      case "task_started": {
        const task = this.task(event.taskId);
        Object.assign(task, {
          status: "running",
          step: "agent",
          stepAt: event.time,
          phase: event.phase,
          attempt: event.attempt,
          worker: event.worker,
          startedAt: event.time,
          retryAt: undefined,
          lastLine: undefined,
          activity: undefined,
        });
        break;
      }
      case "task_output": {
        const line = sanitizeLine(event.line).trim();
        if (line !== "") this.task(event.taskId).lastLine = line;
        break;
      }
      case "task_activity":
        this.task(event.taskId).activity = sanitizeLine(event.activity).trim() || undefined;
        break;
      case "attempt_failed":
        if (event.retryInMs !== undefined) {
          Object.assign(this.task(event.taskId), {
            status: "running",
            step: "retry",
            stepAt: event.time,
            retryAt: event.time + event.retryInMs,
          });
        } else if (this.stopping !== undefined) {
          // After a stop a retryable failure is not retried and not failed: the task is pending
          // again (a final failure is followed by task_finished, which says so).
          Object.assign(this.task(event.taskId), { status: "pending", step: undefined });
        }
        break;
      case "agent_exited": {
        const task = this.task(event.taskId);
        if (event.ok) {
          // Landing starts with the commit; a task_step event names each step as it begins.
          Object.assign(task, { step: "committing", stepAt: event.time });
        } else if (this.stopping !== undefined) {
          // Ended by the stop: no further event comes for it, and resume would run it again.
          Object.assign(task, { status: "pending", step: undefined, stepAt: undefined });
        }
        break;
      }
      case "task_step":
        Object.assign(this.task(event.taskId), { step: event.step, stepAt: event.time });
        break;
      case "qa_verdict":
        Object.assign(this.task(event.taskId), {
          verdict: event.verdict,
          loop: `qa ${event.loop}/${event.of}`,
        });
        break;
      case "task_loop":
        // The loop about to run: qa's next review, or the agent's next go at the failing tests.
        this.task(event.taskId).loop =
          event.kind === "qa"
            ? `qa ${event.loop + 1}/${event.of + 1}`
            : `verify ${event.loop}/${event.of}`;
        break;
      case "task_finished":
        Object.assign(this.task(event.taskId), {
          status: event.status,
          step: undefined,
          retryAt: undefined,
        });
        break;
      case "run_stopping":
        this.stopping = event.why;
        // A waiting retry is not run after a stop.
        for (const task of this.tasks.values()) {
          if (task.step === "retry") Object.assign(task, { status: "pending", step: undefined });
        }
        break;
      case "run_finished":
        this.finished = true;
        // Whatever still looked in flight was ended by the stop and is pending again.
        for (const task of this.tasks.values()) {
          if (task.status === "running")
            Object.assign(task, { status: "pending", step: undefined });
        }
        break;
    }
  }

  inStatus(status: TaskRunStatus): TaskView[] {
    return [...this.tasks.values()].filter((task) => task.status === status);
  }

  /** Tasks whose agent holds a slot, longest running first. */
  agents(): TaskView[] {
    return this.inStep((step) => step === "agent");
  }

  /** Tasks being committed, verified or merged: their agent exited and holds no slot. */
  landing(): TaskView[] {
    return this.inStep((step) => step !== "agent" && step !== "retry");
  }

  /** Tasks waiting for their next attempt. */
  retrying(): TaskView[] {
    return this.inStep((step) => step === "retry");
  }

  count(status: TaskRunStatus): number {
    return this.inStatus(status).length;
  }

  private inStep(test: (step: TaskStep) => boolean): TaskView[] {
    return this.inStatus("running")
      .filter((task) => task.step !== undefined && test(task.step))
      .sort((a, b) => (a.stepAt ?? 0) - (b.stepAt ?? 0));
  }

  private task(id: string): TaskView {
    let task = this.tasks.get(id);
    if (!task) {
      task = {
        id,
        status: "pending",
        step: undefined,
        stepAt: undefined,
        phase: undefined,
        attempt: 0,
        startedAt: undefined,
        retryAt: undefined,
        lastLine: undefined,
        activity: undefined,
      };
      this.tasks.set(id, task);
    }
    return task;
  }
}
