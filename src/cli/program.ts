import { createRequire } from "node:module";
import { Command, CommanderError } from "@commander-js/extra-typings";
import { EXIT, isLanesError } from "../errors.js";
import { cleanCommand } from "./commands/clean.js";
import { demoCommand } from "./commands/demo.js";
import { initCommand } from "./commands/init.js";
import { logsCommand } from "./commands/logs.js";
import { planCommand } from "./commands/plan.js";
import { reportCommand } from "./commands/report.js";
import { resumeCommand } from "./commands/resume.js";
import { runCommand } from "./commands/run.js";
import { serveCommand } from "./commands/serve.js";
import { statusCommand } from "./commands/status.js";
import { workerCommand } from "./commands/worker.js";
import { bindOptionalValues, commanderHint } from "./flags.js";
import { formatError } from "./output.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

/** The whole command tree; exported so that tests and the README's reference can read its help. */
export function buildProgram(): Command {
  const program = new Command("lanes")
    .description(
      "Run AI coding agents on many tasks at once, each in its own git worktree, in dependency order, merged back through a queue.",
    )
    .version(version, "-V, --version")
    .showSuggestionAfterError()
    // A fixed width keeps --help the same in every terminal, so the README's reference can match it.
    .configureHelp({ helpWidth: 100 })
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  for (const command of [
    runCommand(),
    resumeCommand(),
    workerCommand(),
    statusCommand(),
    logsCommand(),
    reportCommand(),
    serveCommand(),
    cleanCommand(),
    planCommand(),
    demoCommand(),
    initCommand(),
  ]) {
    program.addCommand(
      command
        .exitOverride()
        .configureOutput({ outputError: () => {} })
        .configureHelp({ helpWidth: 100 }),
    );
  }
  return program;
}

/** The single top-level catch: errors become one message, a hint, and an exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(bindOptionalValues(argv));
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.ok; // --help, --version
      // `lanes` without a command: commander has already printed the help to stderr.
      if (error.code === "commander.help") return EXIT.badInput;
      process.stderr.write(
        `lanes: ${error.message.replace(/^error: /, "")}\nhint: ${commanderHint(error)}\n`,
      );
      return EXIT.badInput;
    }
    process.stderr.write(formatError(error));
    return isLanesError(error) ? error.exitCode : EXIT.taskFailed;
  }
}
