// Durability: kill -9 of the orchestrator at random moments of a run, and at each step of a lane's
// life (create, agent, commit, verify, merge, remove) a few times each, then `lanes resume --yes`:
// tasks lost, finished tasks run again, processes left, worktrees left after `lanes clean`, and
// new runs that failed afterwards (something the kill left blocked them). The baseline is the
// same run left alone (no kill): what a trial must end up equal to.
// Alone: node bench/durability.mjs [random trials] [trials per step] (after npm run build).

import { row } from "./lib/common.mjs";
import { killResumeTrial, LANE_STEPS } from "./lib/durability.mjs";
import { mulberry32 } from "./lib/random-dag.mjs";

export async function benchDurability({ trials = 20, perStep = 3, seed = 42 } = {}) {
  const random = mulberry32(seed);
  const totals = {
    trials: 0,
    killed: 0,
    tasks: 0,
    done: 0,
    lost: 0,
    runTwice: 0,
    leftovers: 0,
    extraWorktrees: 0,
    failedResumes: 0,
    failedReruns: 0,
  };
  const count = (trial) => {
    totals.trials++;
    totals.killed += trial.killed ? 1 : 0;
    totals.tasks += trial.tasks;
    totals.done += trial.done;
    totals.lost += trial.lost;
    totals.runTwice += trial.runTwice.length;
    totals.leftovers += trial.leftovers.length;
    totals.extraWorktrees += trial.worktrees - 1 + (trial.worktreesAfterRerun - 1);
    totals.failedResumes += trial.resumeExit === 0 ? 0 : 1;
    totals.failedReruns += trial.rerunExit === 0 ? 0 : 1;
  };
  for (let i = 0; i < trials; i++) {
    // The sample run takes about 3-4 s: kill anywhere from start-up to the last merges.
    const killWhen = Math.round(200 + random() * 2800);
    count(await killResumeTrial({ killWhen, seed: i + 1 }));
  }
  // Each step, at its 1st, 2nd, 3rd ... occurrence in the run: early lanes and later ones.
  for (const killWhen of Object.values(LANE_STEPS)) {
    for (let nth = 1; nth <= perStep; nth++) {
      count(await killResumeTrial({ killWhen, nth, seed: 100 + nth }));
    }
  }
  const steps = Object.keys(LANE_STEPS).join(", ");
  const command = `node bench/durability.mjs ${trials} ${perStep}`;
  const label = `${totals.trials} kill -9 trials: ${trials} at random moments, ${perStep} at each step (${steps}); ${totals.killed} killed mid-run, each resumed`;
  return [
    row(
      `durability: tasks done after resume (${label})`,
      totals.done,
      "tasks",
      "tasks in the trials",
      totals.tasks,
      "all",
      command,
    ),
    row("durability: tasks lost", totals.lost, "tasks", "none", 0, "0", command),
    row("durability: finished tasks run again", totals.runTwice, "tasks", "none", 0, "0", command),
    row(
      "durability: processes left behind",
      totals.leftovers,
      "processes",
      "none",
      0,
      "0",
      command,
    ),
    row(
      "durability: worktrees left after lanes clean",
      totals.extraWorktrees,
      "worktrees",
      "none",
      0,
      "0",
      command,
    ),
    row("durability: resumes that failed", totals.failedResumes, "trials", "none", 0, "0", command),
    row(
      "durability: new runs that failed after resume and lanes clean",
      totals.failedReruns,
      "trials",
      "none",
      0,
      "0",
      command,
    ),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(
    await benchDurability({
      trials: Number(process.argv[2] ?? 20),
      perStep: Number(process.argv[3] ?? 3),
    }),
  );
}
