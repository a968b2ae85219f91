// kill -9 of the orchestrator at each step of a lane's life (create, agent, commit, verify, merge,
// remove), each followed by `lanes resume --yes`: every task ends done exactly once, no finished
// task runs again, nothing is left running, after `lanes clean` only the main checkout remains,
// and a new `lanes run` of the same tasks then works (nothing the kill left blocks it).
// (`npm run bench` runs random moments and every step several times.)
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs module shared with the benchmark
import { killResumeTrial, LANE_STEPS } from "../../bench/lib/durability.mjs";

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
  cleanExit: number;
  cleanOutput: string;
  rerunExit: number;
  rerunOutput: string;
  worktreesAfterRerun: number;
}

const steps = LANE_STEPS as Record<string, string>;

describe("kill -9 at each step of a lane's life, then lanes resume --yes", () => {
  for (const [step, nth] of [
    ["create", 1], // the first worktree was just made; more are being made
    ["agent", 2], // agents run
    ["commit", 1], // lanes commits what an agent left
    ["verify", 2], // a verify command runs
    ["merge", 1], // the record commit and the merge
    ["remove", 2], // right after a merge, while the merged lane's folder is removed
  ] as const) {
    it(`loses nothing and blocks nothing when killed at ${step} (${steps[step]} #${nth})`, async () => {
      const trial = (await killResumeTrial({ killWhen: steps[step], nth })) as Trial;
      expect(trial.killed).toBe(true);
      expect(trial.resumeExit, trial.resumeOutput).toBe(0);
      expect(trial.lost).toBe(0);
      expect(trial.done).toBe(trial.tasks);
      expect(trial.runTwice).toEqual([]);
      expect(trial.leftovers).toEqual([]);
      expect(trial.cleanExit, trial.cleanOutput).toBe(0);
      expect(trial.worktrees).toBe(1);
      expect(trial.rerunExit, trial.rerunOutput).toBe(0);
      expect(trial.worktreesAfterRerun).toBe(1);
    });
  }
});
