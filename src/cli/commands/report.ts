import { stat } from "node:fs/promises";
import path from "node:path";
import { Command } from "@commander-js/extra-typings";
import { LanesError } from "../../errors.js";

/** Where `-o FILE` may write: a file in a folder that exists, not a folder itself. */
async function checkOutput(file: string, given: string): Promise<void> {
  const target = await stat(file).catch(() => undefined);
  if (target?.isDirectory()) {
    throw new LanesError("E_USAGE", `Invalid --output value: ${given}. It is a folder.`, {
      hint: `name a file, for example -o ${path.join(given, "report.html")}`,
    });
  }
  const folder = await stat(path.dirname(file)).catch(() => undefined);
  if (!folder?.isDirectory()) {
    throw new LanesError(
      "E_USAGE",
      `Invalid --output value: ${given}. The folder ${path.dirname(file)} does not exist.`,
      { hint: "create the folder first, or name a file in an existing one" },
    );
  }
}

export function reportCommand() {
  return new Command("report")
    .description(
      "write a run's self-contained HTML report: timeline, critical path, tasks, totals (default: the latest run)",
    )
    .argument("[run-id]", "the run to report on (an id or a unique prefix; default: the latest)")
    .option("-o, --output <file>", "where to write it (default: report.html in the run's folder)")
    .action(async (runId, flags) => {
      const { report } = await import("../../index.js");
      const file = flags.output === undefined ? undefined : path.resolve(flags.output);
      if (file !== undefined) await checkOutput(file, flags.output!);
      const written = await report({
        ...(runId !== undefined ? { runId } : {}),
        ...(file ? { file } : {}),
      });
      process.stdout.write(`${written}\n`);
    });
}
