import type { TaskState } from "../state/run-state.js";

export interface BudgetLimits {
  maxTokens: number | undefined;
  maxCost: number | undefined;
}

/** Why the run's token or cost budget is spent (then no new task starts), or undefined. */
export function budgetSpent(tasks: Iterable<TaskState>, limits: BudgetLimits): string | undefined {
  let tokens = 0;
  let cost = 0;
  for (const task of tasks) {
    tokens += (task.tokens?.input ?? 0) + (task.tokens?.output ?? 0);
    cost += task.cost ?? 0;
  }
  if (limits.maxTokens !== undefined && tokens >= limits.maxTokens) {
    return `token budget spent (${tokens.toLocaleString("en-US")} of --max-tokens ${limits.maxTokens.toLocaleString("en-US")})`;
  }
  if (limits.maxCost !== undefined && cost >= limits.maxCost) {
    return `cost budget spent ($${cost.toFixed(2)} of --max-cost $${limits.maxCost.toFixed(2)})`;
  }
  return undefined;
}
