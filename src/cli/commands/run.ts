import { Command, Option } from "@commander-js/extra-typings";
import { LanesError } from "../../errors.js";
import { formatPlan } from "../../report/plan-text.js";
import type { RunResultWithReport } from "../../report/run-end.js";
import { formatSummary } from "../../report/summary.js";
import type { RunOptions } from "../../run/options.js";
import type { SchedulerMode } from "../../scheduler/types.js";
import {
  exclusiveOptions,
  type SettingsFlags,
  settingsFromFlags,
  withSettingOptions,
} from "../flags.js";
import { handleInterrupts } from "../interrupt.js";
import { useColor } from "../output.js";
import { heartbeatSetting, STOPPING_NOTICE, startReporting, summaryInput } from "../reporting.js";
import { withDashboard } from "./serve.js";

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

interface ModeFlags {
  failFast?: boolean;
  sequential?: boolean;
  chain?: boolean;
}

/** commander's `.conflicts()` lets at most one of these through. */
function modeFrom(flags: ModeFlags): SchedulerMode {
  if (flags.failFast) return "fail-fast";
  if (flags.sequential) return "sequential";
  if (flags.chain) return "chain";
  return "parallel";
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

/** `--github` is not the `github` setting's flag (that setting has none): it picks issues by label. */
type RunFlags = ModeFlags &
  Omit<SettingsFlags, "github"> & {
    github?: boolean;
    draft?: boolean;
    comment?: boolean;
    batch?: string[];
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
  flags: { json?: boolean; stream?: boolean; cwd?: string },
): Promise<number> {
  const reporting = startReporting({
    json: flags.json ?? false,
    stream: flags.stream ?? false,
    heartbeatMs: await heartbeatSetting(flags.cwd ?? process.cwd()),
  });
  const interrupts = handleInterrupts(() => reporting.notice(STOPPING_NOTICE));
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
    const input = await summaryInput(result, flags.cwd ?? process.cwd());
    const summary = formatSummary(
      { ...input, ...(result.reportPath ? { reportPath: result.reportPath } : {}) },
      { color: useColor(process.stdout) },
    );
    (flags.json ? process.stderr : process.stdout).write(summary);
    return result.exitCode;
  } finally {
    reporting.stop();
    interrupts.dispose();
  }
}

export async function runOptionsFrom(
  ids: string[],
  flags: RunFlags & { label?: string[]; only?: boolean },
): Promise<RunOptions> {
  const { github, ...settingFlags } = flags;
  return {
    ids,
    labels: flags.label ?? [],
    only: flags.only ?? false,
    ...(github ? { github: true } : {}),
    ...(flags.draft ? { draft: true } : {}),
    ...(flags.comment ? { comment: true } : {}),
    settings: await settingsFromFlags(settingFlags),
    mode: modeFrom(flags),
    land: flags.land ?? false,
    ...(flags.batch ? { batches: batchesFrom(flags.batch)! } : {}),
  };
}

export function runCommand() {
  const command = new Command("run")
    .description("run the selected tasks' agents, each in its own worktree, and merge their work")
    .argument(
      "[ids...]",
      "task ids or GitHub issue numbers (12 or #12) to run (their unfinished dependencies are pulled in)",
    )
    .option("-l, --label <label...>", "run the tasks that carry one of these labels")
    .option("--github", "--label picks open GitHub issues instead of task files")
    .option("--only", "take exactly the ids given, without their dependencies");
  const [failFast, sequential, chain] = exclusiveOptions(
    new Option("--fail-fast", "stop at the first failure and end running agents"),
    new Option("--sequential", "one task at a time; stop at the first failure"),
    new Option("--chain", "one at a time, each lane starting from the previous task's work"),
  );
  return withSettingOptions(command, "run")
    .addOption(failFast)
    .addOption(sequential)
    .addOption(chain)
    .option("--draft", "open the pull requests as drafts")
    .option("--comment", "keep one comment on each issue up to date as its task moves")
    .option("--batch <ids>", 'run groups in order, e.g. --batch "a,b" --batch "c"', collect)
    .option("--land", "fast-forward the base branch when every task succeeded")
    .option("--stream", "print agent output prefixed with the task id")
    .option("--json", "print the event stream as NDJSON on stdout")
    .option("-y, --yes", "answer yes to every question")
    .option("--dry-run", "check everything and show the plan; start nothing")
    .option("--ui", "show the run live in the browser dashboard while it runs")
    .action(async (ids, flags) => {
      const options = await runOptionsFrom(ids, flags);
      // The engine loads only for a command that needs it: `lanes --help` stays quick.
      const { run, check } = await import("../../index.js");
      if (flags.dryRun) {
        const checked = await check(options);
        if (flags.json) process.stdout.write(`${JSON.stringify(checked.plan, null, 2)}\n`);
        else
          process.stdout.write(
            `${formatPlan(checked.plan)}\nDry run: every check passed; nothing was started or changed.\n`,
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
