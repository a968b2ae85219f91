// `lanes status`: parses the flags, calls status() and prints it as text or as its JSON.
import { Command } from "@commander-js/extra-typings";
import { useColor } from "../output.js";

export function statusCommand() {
  return new Command("status")
    .description(
      "show a run: each task's outcome, attempts, duration, branch and log, and what is left to do",
    )
    .argument("[run-id]", "the run to show, or a unique prefix of its id (default: the latest)")
    .option(
      "--json",
      "print one JSON object: run.json plus the derived live, crashed, left and integration",
    )
    .action(async (runId, flags) => {
      // The engine loads only for a command that needs it: `lanes --help` stays quick.
      const [{ status }, { formatStatus }] = await Promise.all([
        import("../../index.js"),
        import("../../report/status-text.js"),
      ]);
      const run = await status(runId === undefined ? {} : { runId });
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(run, null, 2)}\n`
          : formatStatus(run, { color: useColor(process.stdout), now: Date.now() }),
      );
    });
}
