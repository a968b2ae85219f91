// What is left of a run and the commands that go on from here: the policy behind `lanes status`'s
// "Left:" and "next:" lines. Pure, so that every kind of run is tested by a table.
import type { TaskRunStatus } from "../run/events.js";
import type { RunState } from "../state/run-state.js";

/** What is left of a run, and the commands that go on from here. */
export interface RunLeft {
  pending: number;
  running: number;
  failed: number;
  skipped: number;
  /** Ids of the tasks that are not done, in plan order. */
  tasks: string[];
  /** Commands to run next (follow, resume, land, run again), most useful first. */
  next: string[];
}

/** What the policy reads: the run as recorded, whether it runs, and its integration branch. */
export interface LeftInput {
  state: Pick<RunState, "id" | "status" | "order" | "tasks" | "integrationBranch">;
  live: boolean;
  integration: { exists: boolean; mergedIntoHead: boolean };
}

export function countTasks(state: LeftInput["state"], status: TaskRunStatus): number {
  return state.order.filter((id) => state.tasks[id]?.status === status).length;
}

export function runLeft({ state, live, integration }: LeftInput): RunLeft {
  const tasks = state.order.filter((id) => state.tasks[id]?.status !== "done");
  const left: RunLeft = {
    pending: countTasks(state, "pending"),
    running: countTasks(state, "running"),
    failed: countTasks(state, "failed"),
    skipped: countTasks(state, "skipped"),
    tasks,
    next: [],
  };
  const crashed = state.status === "running" && !live;
  if (live) {
    const running = state.order.find((id) => state.tasks[id]?.status === "running");
    if (running) left.next.push(`lanes logs ${running} --follow`);
  } else if (!integration.exists) {
    // Resuming needs the integration branch; without it, run what is left afresh.
    if (tasks.length > 0) left.next.push(`lanes run ${tasks.join(" ")}`);
  } else if (
    crashed ||
    state.status === "interrupted" ||
    (state.status === "failed" && tasks.length > 0)
  ) {
    // `lanes resume` asks what to do only about failed and skipped tasks; tasks that are merely
    // pending (held back by a budget, say) it runs without being told.
    const somethingFailed = left.failed + left.skipped > 0;
    left.next.push(`lanes resume ${state.id}${somethingFailed ? " --retry-failed" : ""}`);
  }
  const done = countTasks(state, "done");
  if (!live && done > 0 && integration.exists && !integration.mergedIntoHead) {
    left.next.push(`git merge --ff-only ${state.integrationBranch}`);
  }
  if (state.status === "abandoned" && integration.exists && tasks.length > 0) {
    left.next.push(`lanes run ${tasks.join(" ")}`);
  }
  return left;
}
