// Durability: kill -9 of the orchestrator at random moments of a run, then `lanes resume --yes`:
// tasks lost, finished tasks run again, processes left, worktrees left after `lanes clean`.
// The baseline is the same run left alone (no kill): what a trial must end up equal to.
// Alone: node bench/durability.mjs [trials] (after npm run build).

import { row } from "./lib/common.mjs";
import { killResumeTrial } from "./lib/durability.mjs";
import { mulberry32 } from "./lib/random-dag.mjs";

export async function benchDurability({ trials = 20, seed = 42 } = {}) {
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
  };
  for (let i = 0; i < trials; i++) {
    // The sample run takes about 3-4 s: kill anywhere from start-up to the last merges.
    const killWhen = Math.round(200 + random() * 2800);
    const trial = await killResumeTrial({ killWhen, seed: i + 1 });
    totals.trials++;
    totals.killed += trial.killed ? 1 : 0;
    totals.tasks += trial.tasks;
    totals.done += trial.done;
    totals.lost += trial.lost;
    totals.runTwice += trial.runTwice.length;
    totals.leftovers += trial.leftovers.length;
    totals.extraWorktrees += trial.worktrees - 1;
    totals.failedResumes += trial.resumeExit === 0 ? 0 : 1;
  }
  const command = `node bench/durability.mjs ${trials}`;
  const label = `${totals.trials} kill -9 trials at random moments (${totals.killed} killed mid-run), each resumed`;
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
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(await benchDurability({ trials: Number(process.argv[2] ?? 20) }));
}
