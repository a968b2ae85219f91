// planTasks' overlap: which pairs the scheduler will keep apart and what that costs, on the
// virtual clock with the plan's weights (estimates, or one per task without).
import { describe, expect, it } from "vitest";
import { planTasks } from "../../src/run/plan.js";
import type { Task } from "../../src/tasks/task.js";

function task(id: string, files: string[], extra: Partial<Task> = {}): Task {
  return {
    id,
    title: id,
    body: "",
    dependsOn: [],
    labels: [],
    status: "ready",
    files,
    file: `.lanes/tasks/${id}.md`,
    ...extra,
  };
}

const all = { ids: [], labels: [], only: false };

describe("a plan's overlap", () => {
  it("lists the pair whose files overlap and costs it in estimated time", () => {
    const plan = planTasks(
      [
        task("auth", ["src/auth.ts"], { estimateMs: 20 * 60_000 }),
        task("login", ["src/**"], { estimateMs: 10 * 60_000 }),
        task("docs", ["docs"], { estimateMs: 5 * 60_000 }),
      ],
      all,
      3,
    );
    expect(plan.overlap).toEqual({
      policy: "avoid",
      pairs: [{ a: "auth", b: "login", files: ["src/auth.ts", "src/**"] }],
      makespan_together: 20 * 60_000,
      makespan_apart: 30 * 60_000,
      cost: 10 * 60_000,
    });
  });

  it("leaves out a pair a dependency already orders, and simulates nothing without pairs", () => {
    const ordered = planTasks(
      [task("a", ["src"]), task("b", ["src/x.ts"], { dependsOn: ["a"] })],
      all,
      2,
    );
    expect(ordered.overlap.pairs).toEqual([]);
    expect(ordered.overlap.cost).toBe(0);
    const none = planTasks([task("a", []), task("b", [])], all, 2, "allow");
    expect(none.overlap).toEqual({
      policy: "allow",
      pairs: [],
      makespan_together: null,
      makespan_apart: null,
      cost: 0,
    });
  });
});
