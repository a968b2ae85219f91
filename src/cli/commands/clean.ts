// `lanes clean`: parses the flags, asks before removing unmerged work, calls clean() and prints.
import { createInterface } from "node:readline/promises";
import { Command } from "@commander-js/extra-typings";
import type { CleanAction } from "../../clean/clean.js";
import { parseDuration } from "../../config/duration.js";
import { LanesError } from "../../errors.js";
import { describeAction, formatClean, formatCleanFailures } from "../../report/clean-text.js";
import { colors } from "../../report/colors.js";
import { useColor } from "../output.js";
import { isInteractive } from "../reporting.js";

function parseOlderThan(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new LanesError(
      "E_USAGE",
      `Invalid --older-than value: ${JSON.stringify(text)}. Must be a duration.`,
      {
        hint: "for example --older-than 3d, 12h or 90m",
      },
    );
  }
  return ms;
}

async function ask(unmerged: CleanAction[]): Promise<boolean> {
  if (unmerged.length === 0) return true;
  process.stderr.write("--all also removes work that is not merged anywhere:\n");
  for (const action of unmerged) process.stderr.write(`  ${describeAction(action)}\n`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question("Remove these too? [y/N] ");
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

/** Outside a terminal nobody can answer: `--all` then needs `--yes`, and says what it would remove. */
async function refuseWithoutYes(unmerged: CleanAction[]): Promise<never> {
  const list = unmerged.map((action) => `\n  ${describeAction(action)}`).join("");
  throw new LanesError(
    "E_USAGE",
    `--all removes work that is not merged anywhere and needs --yes outside a terminal${list ? `; it would remove:${list}` : " (nothing unmerged right now)"}`,
    { hint: "check with lanes clean --all --dry-run, then run lanes clean --all --yes" },
  );
}

export function cleanCommand() {
  return new Command("clean")
    .description(
      "remove what finished runs left behind: lane worktrees, merged lane branches, landed integration branches, and (--older-than) old run folders; never a running run's lanes",
    )
    .option("--dry-run", "show what would be removed and change nothing")
    .option(
      "--older-than <duration>",
      "also remove the folders of finished runs older than this, e.g. 3d",
    )
    .option(
      "--all",
      "also remove unmerged work: unmerged branches, worktrees with uncommitted changes, unlanded integration branches",
    )
    .option(
      "-y, --yes",
      "do not ask before removing unmerged work (needed with --all outside a terminal)",
    )
    .action(async (flags) => {
      const olderThanMs = parseOlderThan(flags.olderThan);
      const all = flags.all ?? false;
      const dryRun = flags.dryRun ?? false;
      const interactive = isInteractive(process.stdout) && Boolean(process.stdin.isTTY);
      // The engine loads only for a command that needs it: `lanes --help` stays quick.
      const { clean } = await import("../../index.js");
      const result = await clean({
        dryRun,
        all,
        ...(olderThanMs === undefined ? {} : { olderThanMs }),
        ...(flags.yes ? {} : { confirm: interactive ? ask : refuseWithoutYes }),
      });
      process.stdout.write(
        formatClean(result, colors(useColor(process.stdout)), all && !flags.yes),
      );
      process.stderr.write(formatCleanFailures(result));
      if (result.failed.length > 0) process.exitCode = 1;
    });
}
