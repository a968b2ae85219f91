// Ctrl-C end to end: `lanes run` with hanging agents that each started a child, then SIGINT or
// SIGTERM. lanes must exit 130 within seconds, record the run as interrupted, and leave no agent
// and no child alive; a second Ctrl-C exits at once, also leaving nothing behind.
import { describe, expect, it } from "vitest";
import {
  readRun,
  readStarts,
  runRepo,
  type Start,
  spawnCli,
  waitForStarts,
  waitGone,
} from "./helpers.js";

function pidsOf(starts: Start[]): number[] {
  return starts.flatMap((s) => (s.child === undefined ? [s.pid] : [s.pid, s.child]));
}

// Three hanging agents at concurrency 3, and a fourth task that must never start.
const TASKS = { h1: {}, h2: {}, h3: {}, h4: {} };

describe("lanes run: interrupted", () => {
  it.each(["SIGINT", "SIGTERM"] as const)(
    "%s ends every agent's group (children too), records the run as interrupted, exits 130",
    async (signal) => {
      // The children ignore SIGTERM: only the SIGKILL after the grace period ends them.
      const repo = await runRepo({
        tasks: TASKS,
        treeAgent: { stubborn: "child" },
        settings: { concurrency: 3, gracePeriod: "1s" },
      });
      const lanes = spawnCli(["run"], repo.root);
      const starts = await waitForStarts(repo.startsFile, 3);
      expect(starts.every((s) => s.child !== undefined)).toBe(true);

      const sentAt = Date.now();
      lanes.child.kill(signal);
      const exit = await lanes.exited;
      expect(exit.at - sentAt).toBeLessThan(10_000);
      expect(exit.code, lanes.stderr()).toBe(130);

      expect(await waitGone(pidsOf(starts), 2_000)).toEqual([]);
      expect(readStarts(repo.startsFile)).toHaveLength(3);

      const { state, events } = await readRun(repo.root);
      expect(state.status).toBe("interrupted");
      expect(Object.values(state.tasks).some((t) => t.status === "running")).toBe(false);
      expect(Object.values(state.tasks).some((t) => t.status === "done")).toBe(false);
      expect(events.some((e) => e.type === "run_stopping")).toBe(true);
      const last = events.at(-1);
      expect(last?.type).toBe("run_finished");
      if (last?.type === "run_finished") expect(last.status).toBe("interrupted");
      expect(lanes.stderr()).toContain("stopping");
      expect(lanes.stdout()).toMatch(/^Summary: 0 done/m);
    },
  );

  it("exits at once on a second SIGINT, still leaving no agent alive", async () => {
    // Agents and children ignore SIGTERM and the grace period is long: after the first Ctrl-C
    // lanes would wait 60 s before SIGKILL. The second must not wait.
    const repo = await runRepo({
      tasks: TASKS,
      treeAgent: { stubborn: "both" },
      settings: { concurrency: 3, gracePeriod: "60s" },
    });
    const lanes = spawnCli(["run"], repo.root);
    const starts = await waitForStarts(repo.startsFile, 3);

    lanes.child.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(lanes.child.exitCode).toBeNull(); // still waiting for the stubborn agents
    const sentAt = Date.now();
    lanes.child.kill("SIGINT");
    const exit = await lanes.exited;
    expect(exit.at - sentAt).toBeLessThan(3_000);
    expect(exit.code).toBe(130);
    expect(await waitGone(pidsOf(starts), 2_000)).toEqual([]);
  });
});
