// kill -9 of the orchestrator at fixed moments, each followed by `lanes resume --yes`: every task
// ends done exactly once, no finished task runs again, nothing is left running, and after
// `lanes clean` only the main checkout remains. (`npm run bench` runs twenty random moments.)
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs module shared with the benchmark
import { killResumeTrial } from "../../bench/lib/durability.mjs";

interface Trial {
  killed: boolean;
  tasks: number;
  done: number;
  lost: number;
  runTwice: string[];
  leftovers: number[];
  worktrees: number;
  resumeExit: number;
  resumeOutput: string;
}

describe("kill -9 then lanes resume --yes", () => {
  for (const [moment, nth] of [
    ["lane_ready", 1], // while creating the first worktree
    ["task_started", 2], // while agents run
    ["agent_exited", 1], // while committing and merging
    ["task_merged", 2], // right after a merge, before its lane is removed
  ] as const) {
    it(`loses nothing when killed at ${moment} #${nth}`, async () => {
      const trial = (await killResumeTrial({ killWhen: moment, nth })) as Trial;
      expect(trial.killed).toBe(true);
      expect(trial.resumeExit, trial.resumeOutput).toBe(0);
      expect(trial.lost).toBe(0);
      expect(trial.done).toBe(trial.tasks);
      expect(trial.runTwice).toEqual([]);
      expect(trial.leftovers).toEqual([]);
      expect(trial.worktrees).toBe(1);
    });
  }
});
