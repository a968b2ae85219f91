// `lanes status`'s "what is left" policy, by table: every kind of run the orchestrator leaves, and
// the commands it suggests, without a repository.
import { describe, expect, it } from "vitest";
import type { TaskRunStatus } from "../../src/run/events.js";
import type { RunStatus } from "../../src/state/run-state.js";
import { emptyTaskState } from "../../src/state/run-state.js";
import { type LeftInput, runLeft } from "../../src/status/left.js";

const ID = "20261129-100000-abcd";
const INTEGRATION = `lanes/run/${ID}`;

function input(
  status: RunStatus,
  tasks: Record<string, TaskRunStatus>,
  facts: { live?: boolean; exists?: boolean; merged?: boolean } = {},
): LeftInput {
  return {
    state: {
      id: ID,
      status,
      integrationBranch: INTEGRATION,
      order: Object.keys(tasks),
      tasks: Object.fromEntries(
        Object.entries(tasks).map(([id, s]) => [
          id,
          { ...emptyTaskState(`lanes/${id}`), status: s },
        ]),
      ),
    },
    live: facts.live ?? false,
    integration: { exists: facts.exists ?? true, mergedIntoHead: facts.merged ?? false },
  };
}

const LAND = `git merge --ff-only ${INTEGRATION}`;

describe("runLeft: the commands that go on from a run", () => {
  it.each<[string, LeftInput, string[]]>([
    ["a done run, not landed: land it", input("done", { a: "done", b: "done" }), [LAND]],
    ["a done run, landed: nothing", input("done", { a: "done" }, { merged: true }), []],
    [
      "a live run: follow its running task",
      input("running", { a: "done", b: "running", c: "pending" }, { live: true }),
      ["lanes logs b --follow"],
    ],
    [
      "a live run between tasks: nothing to follow yet",
      input("running", { a: "pending" }, { live: true }),
      [],
    ],
    [
      "a failed run with a failure: retry it, and land what is done",
      input("failed", { a: "done", b: "failed", c: "skipped" }),
      [`lanes resume ${ID} --retry-failed`, LAND],
    ],
    [
      "a run held back by its budget, nothing failed: plain resume (bug: it said --retry-failed)",
      input("failed", { a: "done", b: "pending" }),
      [`lanes resume ${ID}`, LAND],
    ],
    [
      "an interrupted run, nothing failed: plain resume",
      input("interrupted", { a: "pending", b: "pending" }),
      [`lanes resume ${ID}`],
    ],
    [
      "an interrupted run with a failure: resume needs to be told, so --retry-failed",
      input("interrupted", { a: "failed", b: "pending" }),
      [`lanes resume ${ID} --retry-failed`],
    ],
    [
      "a crashed run (recorded running, not live): resume",
      input("running", { a: "done", b: "running" }),
      [`lanes resume ${ID}`, LAND],
    ],
    [
      "a run whose integration branch is gone: run what is left afresh",
      input("failed", { a: "done", b: "failed", c: "skipped" }, { exists: false }),
      ["lanes run b c"],
    ],
    [
      "an abandoned run: run what is left in a new run",
      input("abandoned", { a: "done", b: "pending" }),
      [LAND, "lanes run b"],
    ],
  ])("%s", (_name, given, next) => {
    expect(runLeft(given).next).toEqual(next);
  });

  it("counts what is not done, in plan order", () => {
    const left = runLeft(
      input("failed", { a: "skipped", b: "done", c: "failed", d: "pending", e: "running" }),
    );
    expect(left).toMatchObject({
      pending: 1,
      running: 1,
      failed: 1,
      skipped: 1,
      tasks: ["a", "c", "d", "e"],
    });
  });
});
