import { createInterface } from "node:readline/promises";
import { Command, Option } from "@commander-js/extra-typings";
import type { ResumeChoice } from "../../index.js";
import { exclusiveOptions, settingsFromFlags, withSettingOptions } from "../flags.js";
import { isInteractive } from "../reporting.js";
import { runWithReporting } from "./run.js";

const CHOICES: Record<string, ResumeChoice> = { r: "retry", s: "skip", f: "fresh", a: "abort" };

/** autospec's question, asked only in a terminal: anywhere else the flags decide. */
async function askChoice(failed: string[], skipped: string[]): Promise<ResumeChoice> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    process.stderr.write(
      `This run has ${failed.length} failed (${failed.join(", ") || "none"}) and ${skipped.length} skipped tasks (${skipped.join(", ") || "none"}).\n`,
    );
    for (;;) {
      const answer = (
        await prompt.question("[R]etry failed, [S]kip failed, start [F]resh, [A]bort? [R] ")
      )
        .trim()
        .toLowerCase();
      const choice = answer === "" ? "retry" : CHOICES[answer[0]!];
      if (choice) return choice;
    }
  } finally {
    prompt.close();
  }
}

/** commander's `.conflicts()` lets at most one choice through. */
function choiceFrom(flags: {
  retryFailed?: true;
  skipFailed?: true;
  fresh?: true;
  abort?: true;
  yes?: true;
}): ResumeChoice | undefined {
  if (flags.retryFailed) return "retry";
  if (flags.skipFailed) return "skip";
  if (flags.fresh) return "fresh";
  if (flags.abort) return "abort";
  return flags.yes ? "retry" : undefined;
}

export function resumeCommand() {
  const [retryFailed, skipFailed, fresh, abort] = exclusiveOptions(
    new Option("--retry-failed", "run failed and skipped tasks again"),
    new Option("--skip-failed", "leave failed and skipped tasks as they are"),
    new Option("--fresh", "abandon the run and start a new one with the same tasks"),
    new Option("--abort", "abandon the run; start nothing"),
  );
  const command = new Command("resume")
    .description(
      "continue the latest unfinished run: end what it left running, keep done tasks, run the rest",
    )
    .argument("[run-id]", "the run to continue (default: the latest unfinished one)")
    .addOption(retryFailed)
    .addOption(skipFailed)
    .addOption(fresh)
    .addOption(abort);
  return withSettingOptions(command, "resume")
    .option("--stream", "print agent output prefixed with the task id")
    .option("--json", "print the event stream as NDJSON on stdout")
    .option("-y, --yes", "answer yes to every question (failed tasks: retry)")
    .action(async (runId, flags) => {
      const choice = choiceFrom(flags);
      const settings = await settingsFromFlags(flags);
      const ask =
        !choice && isInteractive(process.stdout) && process.stdin.isTTY ? askChoice : undefined;
      const { resume } = await import("../../index.js");
      process.exitCode = await runWithReporting(
        (hooks) =>
          resume({
            ...hooks,
            ...(runId ? { runId } : {}),
            ...(choice ? { choice } : {}),
            ...(ask ? { ask } : {}),
            settings,
          }),
        flags,
      );
    });
}
