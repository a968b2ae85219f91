// Landing as events: after a task's agent exited (and freed its slot), lanes says which step of
// landing the task is in — committing, verifying (only with a verify command), merging — so that
// the live view can show tasks being landed apart from running agents.
import { describe, expect, it } from "vitest";
import type { LanesEvent } from "../../src/index.js";
import { runCli } from "../helpers/cli.js";
import { readRun, runRepo } from "./helpers.js";

/** The agent exit, the landing steps and the merge of one task, in the order they were told. */
function landing(events: LanesEvent[], taskId: string): string[] {
  return events.flatMap((event) => {
    if (!("taskId" in event) || event.taskId !== taskId) return [];
    if (event.type === "task_step") return [event.step];
    if (event.type === "agent_exited" || event.type === "task_merged") return [event.type];
    return [];
  });
}

describe("task_step events", () => {
  it("with a verify command: committing, verifying, merging, between agent exit and merge", async () => {
    const repo = await runRepo({
      tasks: { a: {}, b: { deps: ["a"] } },
      settings: { verify: "true" },
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(0);
    const { events } = await readRun(repo.root);
    for (const id of ["a", "b"]) {
      expect(landing(events, id)).toEqual([
        "agent_exited",
        "committing",
        "verifying",
        "merging",
        "task_merged",
      ]);
    }
  });

  it("without one: no verifying step; a task that changed nothing stops at committing", async () => {
    const repo = await runRepo({
      tasks: { a: {}, idle: {} },
      plan: { idle: { noChanges: true } },
      settings: { retries: 0 },
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);
    const { events } = await readRun(repo.root);
    expect(landing(events, "a")).toEqual(["agent_exited", "committing", "merging", "task_merged"]);
    expect(landing(events, "idle")).toEqual(["agent_exited", "committing"]);
  });
});
