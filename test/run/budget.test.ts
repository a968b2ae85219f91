// The budget on its own: what the run's tasks have spent against --max-tokens and --max-cost.
import { describe, expect, it } from "vitest";
import { type BudgetLimits, budgetSpent } from "../../src/run/budget.js";
import { emptyTaskState, type TaskState } from "../../src/state/run-state.js";

function task(input: number, output: number, cost?: number): TaskState {
  return { ...emptyTaskState("lanes/t"), tokens: { input, output }, cost };
}

const none: BudgetLimits = { maxTokens: undefined, maxCost: undefined };

describe("budgetSpent", () => {
  it.each<[string, TaskState[], BudgetLimits, string | undefined]>([
    ["no limits: never spent", [task(10_000_000, 0, 1_000)], none, undefined],
    ["no tasks: nothing spent", [], { maxTokens: 1, maxCost: 0.01 }, undefined],
    [
      "tasks without usage count as zero",
      [emptyTaskState("lanes/a")],
      { ...none, maxTokens: 1 },
      undefined,
    ],
    ["below the token limit", [task(400, 500)], { ...none, maxTokens: 1_000 }, undefined],
    [
      "input and output tokens of every task add up; reaching the limit is spending it",
      [task(400, 100), task(300, 200)],
      { ...none, maxTokens: 1_000 },
      "token budget spent (1,000 of --max-tokens 1,000)",
    ],
    [
      "costs add up across tasks",
      [task(0, 0, 0.75), task(0, 0, 0.5)],
      { ...none, maxCost: 1 },
      "cost budget spent ($1.25 of --max-cost $1.00)",
    ],
    ["below the cost limit", [task(0, 0, 0.99)], { ...none, maxCost: 1 }, undefined],
    [
      "tokens are checked first when both are spent",
      [task(2_000, 0, 5)],
      { maxTokens: 1_000, maxCost: 1 },
      "token budget spent (2,000 of --max-tokens 1,000)",
    ],
    [
      "cost spent while tokens are not",
      [task(10, 10, 2)],
      { maxTokens: 1_000, maxCost: 1 },
      "cost budget spent ($2.00 of --max-cost $1.00)",
    ],
  ])("%s", (_, tasks, limits, expected) => {
    expect(budgetSpent(tasks, limits)).toBe(expected);
  });
});
