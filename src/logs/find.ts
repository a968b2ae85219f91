// Which run `lanes logs` reads for a task, and the errors that say what exists when the task or
// its log is not there.
import { LanesError } from "../errors.js";
import { type FoundRun, findRun, listRuns } from "../state/runs.js";
import { type LogFile, type LogWanted, logLabel } from "./files.js";

/** The newest run that has the task, or the run named. */
export async function runWithTask(
  repoRoot: string,
  taskId: string,
  runId: string | undefined,
): Promise<FoundRun> {
  if (runId !== undefined) {
    const run = await findRun(repoRoot, runId);
    if (!run.state.tasks[taskId]) {
      throw new LanesError(
        "E_TASK_UNKNOWN",
        `run ${run.id} has no task ${JSON.stringify(taskId)}`,
        {
          hint: `its tasks: ${run.state.order.join(", ") || "(none)"}`,
        },
      );
    }
    return run;
  }
  const runs = await listRuns(repoRoot);
  if (runs.length === 0) await findRun(repoRoot); // throws the "no runs yet" error
  const found = runs.find((run) => run.state?.tasks[taskId]);
  if (found) return found as FoundRun;
  const latest = runs.find((run) => run.state);
  const unreadable = runs.filter((run) => !run.state).map((run) => run.id);
  throw new LanesError("E_TASK_UNKNOWN", `no run has a task ${JSON.stringify(taskId)}`, {
    hint: [
      latest
        ? `tasks of the latest run ${latest.id}: ${latest.state!.order.join(", ") || "(none)"}`
        : undefined,
      unreadable.length > 0 ? `unreadable runs: ${unreadable.join(", ")}` : undefined,
    ]
      .filter(Boolean)
      .join("; "),
  });
}

export function noLogError(
  run: FoundRun,
  taskId: string,
  files: LogFile[],
  wanted: LogWanted,
): LanesError {
  const task = run.state.tasks[taskId]!;
  const asked = [
    wanted.phase,
    wanted.attempt === undefined ? undefined : `attempt ${wanted.attempt}`,
  ]
    .filter(Boolean)
    .join(" ");
  if (files.length > 0) {
    return new LanesError("E_USAGE", `task ${taskId} has no ${asked} log in run ${run.id}`, {
      hint: `its logs: ${files.map(logLabel).join(", ")} (lanes logs ${taskId} --phase <phase> --attempt <n>)`,
    });
  }
  const why =
    task.status === "skipped"
      ? `it was skipped${task.detail ? `: ${task.detail}` : ""}`
      : task.status === "pending"
        ? "it has not started"
        : `it is ${task.status}`;
  return new LanesError("E_USAGE", `task ${taskId} has no log yet in run ${run.id}: ${why}`, {
    hint: run.live
      ? `wait for it with lanes logs ${taskId} --follow`
      : `lanes status ${run.id} shows every task`,
  });
}
