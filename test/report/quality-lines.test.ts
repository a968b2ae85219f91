// What people see of the quality loop: the CI lines of qa verdicts, loops and a resolve, the
// live view's loop label, and the summary's count of tasks merged on the first pass or after loops.
import { describe, expect, it } from "vitest";
import { colors } from "../../src/report/colors.js";
import { eventLine } from "../../src/report/lines.js";
import { RunProgress } from "../../src/report/progress.js";
import { formatSummary } from "../../src/report/summary.js";
import { at, runStarted, started } from "./events.js";

const c = colors(false);

describe("the quality loop in CI lines and the live view's progress", () => {
  it("prints verdicts, loops and a resolve, and labels the task with its loop", () => {
    const progress = new RunProgress();
    const events = [
      runStarted(0, ["feat"]),
      started(1, "feat"),
      at(2, {
        type: "qa_verdict",
        taskId: "feat",
        verdict: "needs_work",
        findings: ["no test for the empty input"],
        loop: 1,
        of: 3,
      }),
      at(2, {
        type: "task_loop",
        taskId: "feat",
        kind: "qa",
        loop: 1,
        of: 2,
        why: "no test for the empty input",
      }),
      at(3, { type: "task_step", taskId: "feat", step: "resolving" }),
    ];
    const lines = events.map((event) => {
      progress.apply(event);
      return eventLine(event, progress, c);
    });
    expect(lines.slice(2)).toEqual([
      "● feat: qa 1/3 needs work — no test for the empty input",
      "↻ feat back to exec with qa's findings (qa loop 1/2): no test for the empty input",
      "⇢ feat no longer merges: the agent resolves the conflict",
    ]);
    // The next review is the second of at most three.
    expect(progress.tasks.get("feat")).toMatchObject({ loop: "qa 2/3", verdict: "needs_work" });
  });

  it("keeps a verify loop's attempt_failed out of the lines: task_loop says it", () => {
    const progress = new RunProgress();
    const event = at(1, {
      type: "attempt_failed",
      taskId: "sum",
      attempt: 1,
      reason: "verify",
      detail: "`npm test` failed (1): not ok 3 - adds",
      retryInMs: 0,
    });
    expect(eventLine(event, progress, c)).toBeUndefined();
  });
});

describe("the summary of a run with loops", () => {
  it("counts the tasks merged on the first pass and after loops, and shows a verify headline", () => {
    const text = formatSummary(
      {
        runId: "r1",
        durationMs: 5_000,
        integrationBranch: "lanes/run/r1",
        tasks: [
          { id: "a", status: "done", loops: 0 },
          { id: "b", status: "done", loops: 2 },
          {
            id: "c",
            status: "failed",
            reason: "verify",
            detail: "`npm test` failed (1): not ok 3 - adds\nexpected 3, got 4\n(log: c.log)",
          },
        ],
      },
      { color: false },
    );
    expect(text).toContain("Summary: 2 done (1 on the first pass, 1 after loops), 1 failed");
    expect(text).toContain("  ✗ c: verify — `npm test` failed (1): not ok 3 - adds\n");
    expect(text).toContain("      expected 3, got 4\n      (log: c.log)\n");
  });
});
