import { Command } from "@commander-js/extra-typings";
import { LanesError } from "../../errors.js";
import { formatPlan } from "../../report/plan-text.js";
import type { RunResultWithReport } from "../../report/run-end.js";
import { formatSummary } from "../../report/summary.js";
import type { RunOptions } from "../../run/options.js";
import type { SchedulerMode } from "../../scheduler/types.js";
import { exclusiveFlag, settingsFromFlags } from "../flags.js";
import { handleInterrupts } from "../interrupt.js";
import { useColor } from "../output.js";
import { startReporting, summaryInput } from "../reporting.js";
import { withDashboard } from "./serve.js";

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

interface ModeFlags {
  failFast?: boolean;
  sequential?: boolean;
  chain?: boolean;
}

function modeFrom(flags: ModeFlags): SchedulerMode {
  const mode = exclusiveFlag<SchedulerMode>(
    [
      ["--fail-fast", flags.failFast, "fail-fast"],
      ["--sequential", flags.sequential, "sequential"],
      ["--chain", flags.chain, "chain"],
    ],
    "pick one mode: --fail-fast, --sequential or --chain (default: parallel)",
  );
  return mode ?? "parallel";
}

function batchesFrom(values: string[] | undefined): string[][] | undefined {
  if (!values) return undefined;
  return values.map((value) => {
    const ids = value
      .split(",")
      .map((id) => id.trim())
      .filter(Boolean);
    if (ids.length === 0) {
      throw new LanesError(
        "E_USAGE",
        `Invalid --batch value: ${JSON.stringify(value)}. Must list task ids.`,
        {
          hint: 'for example --batch "a,b" --batch "c"',
        },
      );
    }
    return ids;
  });
}

type RunFlags = ModeFlags & {
  concurrency?: string;
  batch?: string[];
  retries?: string;
  timeout?: string;
  agent?: string;
  maxTokens?: string;
  maxCost?: string;
  land?: boolean;
  stream?: boolean;
  json?: boolean;
  yes?: boolean;
};

/** What the CLI hands the engine so that it can report and be interrupted. */
export type RunHooks = Pick<RunOptions, "signal" | "onEvent" | "streamOutput">;

/**
 * Runs (or resumes) with the reporters of the terminal or CI, the Ctrl-C handling, and the
 * summary; returns the exit code.
 */
export async function runWithReporting(
  start: (hooks: RunHooks) => Promise<RunResultWithReport>,
  flags: { json?: boolean; stream?: boolean },
): Promise<number> {
  const reporting = startReporting({ json: flags.json ?? false, stream: flags.stream ?? false });
  const interrupts = handleInterrupts(() => {
    process.stderr.write(
      "\nlanes: stopping: ending agents and saving state (Ctrl-C again to exit at once)\n",
    );
  });
  try {
    const result = await start({
      signal: interrupts.signal,
      streamOutput: reporting.wantsOutput,
      onEvent: (event) => {
        if (event.type === "task_started" && event.pgid)
          interrupts.agentStarted(event.taskId, event.pgid);
        if (event.type === "agent_exited") interrupts.agentEnded(event.taskId);
        reporting.reporter.onEvent(event);
      },
    });
    reporting.stop();
    if (result.nothingToRun) {
      (flags.json ? process.stderr : process.stdout).write(
        `Nothing to run: ${result.nothingToRun}.\n`,
      );
      return result.exitCode;
    }
    const summary = formatSummary(
      { ...summaryInput(result), ...(result.reportPath ? { reportPath: result.reportPath } : {}) },
      { color: useColor(process.stdout) },
    );
    (flags.json ? process.stderr : process.stdout).write(summary);
    return result.exitCode;
  } finally {
    reporting.stop();
    interrupts.dispose();
  }
}

export function runOptionsFrom(
  ids: string[],
  flags: RunFlags & { label?: string[]; only?: boolean },
): RunOptions {
  return {
    ids,
    labels: flags.label ?? [],
    only: flags.only ?? false,
    settings: settingsFromFlags(flags),
    mode: modeFrom(flags),
    land: flags.land ?? false,
    ...(flags.batch ? { batches: batchesFrom(flags.batch)! } : {}),
  };
}

export function runCommand() {
  return new Command("run")
    .description("run the selected tasks' agents, each in its own worktree, and merge their work")
    .argument("[ids...]", "task ids to run (their unfinished dependencies are pulled in)")
    .option("-l, --label <label...>", "run the tasks that carry one of these labels")
    .option("--only", "take exactly the ids given, without their dependencies")
    .option("-c, --concurrency <n>", "how many agents may run at once (default 3)")
    .option("--fail-fast", "stop at the first failure and end running agents")
    .option("--sequential", "one task at a time; stop at the first failure")
    .option("--chain", "one at a time, each lane starting from the previous task's work")
    .option("--batch <ids>", 'run groups in order, e.g. --batch "a,b" --batch "c"', collect)
    .option("--retries <n>", "re-run a failed attempt up to n times, with backoff (default 0)")
    .option(
      "--timeout <duration>",
      "end an agent attempt after this long, e.g. 90s, 30m (default 30m)",
    )
    .option("--agent <preset>", "claude, codex, gemini, aider or opencode")
    .option("--max-tokens <n>", "start no new task once the run used this many tokens")
    .option("--max-cost <usd>", "start no new task once the run cost this many US dollars")
    .option("--land", "fast-forward the base branch when every task succeeded")
    .option("--stream", "print agent output prefixed with the task id")
    .option("--json", "print the event stream as NDJSON on stdout")
    .option("-y, --yes", "answer yes to every question")
    .option("--dry-run", "check everything and show the plan; start nothing")
    .option("--ui", "show the run live in the browser dashboard while it runs")
    .action(async (ids, flags) => {
      const options = runOptionsFrom(ids, flags);
      // The engine loads only for a command that needs it: `lanes --help` stays quick.
      const [{ run }, { prepareRun }] = await Promise.all([
        import("../../index.js"),
        import("../../run/prepare.js"),
      ]);
      if (flags.dryRun) {
        const prepared = await prepareRun(options);
        if (flags.json) process.stdout.write(`${JSON.stringify(prepared.plan, null, 2)}\n`);
        else
          process.stdout.write(
            `${formatPlan(prepared.plan)}\nDry run: every check passed; nothing was started or changed.\n`,
          );
        return;
      }
      process.exitCode = await withDashboard(flags.ui, () =>
        runWithReporting(
          (hooks) => run({ ...options, ...hooks, abandonUnfinished: flags.yes ?? false }),
          flags,
        ),
      );
    });
}
