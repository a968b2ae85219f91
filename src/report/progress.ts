import type { LanesEvent, TaskRunStatus } from "../run/events.js";
import { sanitizeLine } from "./text.js";

/** What the reporters know about one task, folded from the events seen so far. */
export interface TaskView {
  id: string;
  status: TaskRunStatus;
  phase: string | undefined;
  attempt: number;
  /** When the current attempt started (event time). */
  startedAt: number | undefined;
  /** Set while the task waits for a retry: when the next attempt is due. */
  retryAt: number | undefined;
  /** The agent's last output line and its last reported activity; activity wins on display. */
  lastLine: string | undefined;
  activity: string | undefined;
}

/**
 * The run's state as the event stream tells it, in the order the run listed its tasks. Shared by
 * the heartbeat and the live view so that they can never disagree about what is running.
 */
export class RunProgress {
  runId: string | undefined;
  integrationBranch: string | undefined;
  finished = false;
  readonly tasks = new Map<string, TaskView>();

  apply(event: LanesEvent): void {
    this.runId = event.runId;
    switch (event.type) {
      case "run_started":
        this.integrationBranch = event.integrationBranch;
        for (const id of event.tasks) this.task(id);
        break;
      case "task_started": {
        const task = this.task(event.taskId);
        Object.assign(task, {
          status: "running",
          phase: event.phase,
          attempt: event.attempt,
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
          const task = this.task(event.taskId);
          task.status = "running";
          task.retryAt = event.time + event.retryInMs;
        }
        break;
      case "agent_exited":
        if (event.ok) this.task(event.taskId).activity = "finishing";
        break;
      case "task_finished":
        Object.assign(this.task(event.taskId), { status: event.status, retryAt: undefined });
        break;
      case "run_finished":
        this.finished = true;
        break;
    }
  }

  inStatus(status: TaskRunStatus): TaskView[] {
    return [...this.tasks.values()].filter((task) => task.status === status);
  }

  private task(id: string): TaskView {
    let task = this.tasks.get(id);
    if (!task) {
      task = {
        id,
        status: "pending",
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
