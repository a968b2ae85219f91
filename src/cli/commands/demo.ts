import { existsSync, readdirSync, rmSync } from "node:fs";
import { copyFile, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Command } from "@commander-js/extra-typings";
import { createSampleRepo } from "../../demo/sample.js";
import { removeEmptyWorktreeFolder, showIntegrationBranch } from "../../demo/show.js";
import { LanesError } from "../../errors.js";
import { settingsFromFlags, withSettingOptions } from "../flags.js";
import { runWithReporting } from "./run.js";

/**
 * `lanes demo`: a sample repository run with the scripted agent. A demo in a temporary folder
 * leaves nothing behind (repository and lanes live in one folder, removed at the end, after
 * Ctrl-C too) unless `--keep`; a `--dir` the user named is theirs and is kept.
 */
export function demoCommand() {
  const command = new Command("demo")
    .description(
      "create a sample repository with ten tasks and run them with the built-in scripted agent",
    )
    .option(
      "--dir <path>",
      "where to create the sample repository, kept afterwards (default: a temporary folder, removed at the end)",
    )
    .option("--keep", "keep the temporary sample repository to look around afterwards");
  return withSettingOptions(command, "demo")
    .option(
      "--speed <factor>",
      "scale the scripted agent's work time (0.2 = five times faster)",
      "1",
    )
    .option("--stream", "print agent output prefixed with the task id")
    .option("--json", "print the event stream as NDJSON on stdout")
    .action(async (flags) => {
      const settings = await settingsFromFlags(flags);
      const speed = Number(flags.speed);
      if (!Number.isFinite(speed) || speed < 0) {
        throw new LanesError(
          "E_USAGE",
          `Invalid --speed value: ${flags.speed}. Must be a number >= 0.`,
          {
            hint: "for example --speed 0.5",
          },
        );
      }
      if (flags.dir && existsSync(flags.dir) && readdirSync(flags.dir).length > 0) {
        throw new LanesError("E_USAGE", `--dir ${path.resolve(flags.dir)} is not empty`, {
          hint: "give a new or empty folder, or leave out --dir for a temporary one",
        });
      }
      // The temporary folder holds the repository and, next to it, its lanes' worktrees.
      const temp = flags.dir ? undefined : await mkdtemp(path.join(os.tmpdir(), "lanes-demo-"));
      const dir = temp ? path.join(temp, "repo") : path.resolve(flags.dir!);
      const removeTemp = () => {
        if (temp && !flags.keep) rmSync(temp, { recursive: true, force: true });
      };
      // A second Ctrl-C exits at once through process.exit: the folder goes then too.
      process.once("exit", removeTemp);
      const out = flags.json ? process.stderr : process.stdout;
      try {
        const worktreeDir = temp ? "../worktrees" : undefined;
        await createSampleRepo(dir, speed, worktreeDir ? { worktreeDir } : {});
        const { run } = await import("../../index.js");
        out.write(`Demo repository: ${dir}\n\n`);
        let reportPath: string | undefined;
        const exitCode = await runWithReporting(
          async (hooks) => {
            const result = await run({ ...hooks, cwd: dir, settings });
            reportPath = result.reportPath;
            return result;
          },
          {
            cwd: dir,
            ...(flags.stream ? { stream: true } : {}),
            ...(flags.json ? { json: true } : {}),
          },
        );
        const branch = showIntegrationBranch(dir, out, exitCode === 0);
        if (temp && !flags.keep) {
          out.write("\nThe demo repository is removed now; `lanes demo --keep` keeps it.\n");
          // The report outlives the folder: one file of a fixed name, replaced by the next demo.
          if (reportPath) {
            const kept = path.join(os.tmpdir(), "lanes-demo-report.html");
            await copyFile(reportPath, kept);
            reportPath = kept;
          }
        } else {
          await removeEmptyWorktreeFolder(dir, worktreeDir);
          out.write(`\nLook around: cd ${dir} && git log --graph --oneline ${branch ?? ""}\n`);
        }
        if (reportPath) out.write(`\nReport: ${reportPath} (open it in a browser)\n`);
        process.exitCode = exitCode;
      } finally {
        removeTemp();
        process.off("exit", removeTemp);
      }
    });
}
