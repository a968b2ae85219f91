import { formatDuration } from "../config/duration.js";
import { type Plan, unmetDependencyWarnings } from "../run/plan.js";
import { overlapLines } from "./plan-overlap-text.js";

/** `lanes plan`'s human output: the waves, the critical path, and how long the selection takes. */
export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  const count = plan.tasks.length;
  const notes = (plan.notes ?? []).map((note) => `  ${note}`);
  if (count === 0) {
    lines.push("Nothing to run: every selected task is done.", ...notes);
    if (plan.already_done.length > 0) lines.push(`  already done: ${plan.already_done.join(", ")}`);
    return `${lines.join("\n")}\n`;
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  lines.push(
    `Plan: ${plural(count, "task")} in ${plural(plan.waves.length, "wave")}, concurrency ${plan.concurrency}`,
  );
  if (plan.pulled_in.length > 0) {
    lines.push(`  pulled in as unfinished dependencies: ${plan.pulled_in.join(", ")}`);
  }
  if (plan.already_done.length > 0) {
    lines.push(`  already done, not run again: ${plan.already_done.join(", ")}`);
  }
  for (const line of unmetDependencyWarnings(plan)) lines.push(`  ! ${line}`);
  lines.push(...notes);
  lines.push("");
  const byId = new Map(plan.tasks.map((task) => [task.id, task]));
  const idWidth = Math.max(...plan.tasks.map((task) => task.id.length));
  plan.waves.forEach((ids, wave) => {
    lines.push(`Wave ${wave + 1}`);
    for (const id of ids) {
      const task = byId.get(id)!;
      const needs = task.depends_on.length > 0 ? `  (after ${task.depends_on.join(", ")})` : "";
      const estimate = task.estimate_ms ? `  ~${formatDuration(task.estimate_ms)}` : "";
      lines.push(`  ${id.padEnd(idWidth)}  ${task.title}${estimate}${needs}`);
    }
  });
  lines.push("");
  const weight = (value: number) =>
    plan.estimated === "none" ? plural(Math.round(value * 10) / 10, "task") : formatDuration(value);
  lines.push(
    `Critical path: ${plan.critical_path.join(" -> ")}  (${weight(plan.cost.critical_path)})`,
  );
  // Time, not money: without estimates the unit is "task lengths", never a bare number that
  // could be read as dollars next to --max-cost.
  const time = (value: number) =>
    plan.estimated === "none"
      ? `${Math.round(value * 10) / 10} task length${value === 1 ? "" : "s"}`
      : formatDuration(value);
  const perAgent = plan.cost.total_work / plan.concurrency;
  const agents = plural(plan.concurrency, "agent");
  lines.push(
    `Time at concurrency ${plan.concurrency}: at least ${time(plan.cost.lower_bound)} end to end` +
      ` (critical path ${time(plan.cost.critical_path)}; total work ${time(plan.cost.total_work)} / ${agents} = ${time(perAgent)})`,
  );
  if (plan.estimated === "none") {
    lines.push("  add `estimate: 20m` to task files to weigh the critical path in time");
  } else if (plan.estimated === "some") {
    lines.push("  tasks without an estimate count as the average estimated task");
  }
  lines.push(...overlapLines(plan, time));
  return `${lines.join("\n")}\n`;
}
