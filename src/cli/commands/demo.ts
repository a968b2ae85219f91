import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Command } from "@commander-js/extra-typings";
import { createSampleRepo } from "../../demo/sample.js";
import { LanesError } from "../../errors.js";
import { settingsFromFlags } from "../flags.js";
import { runWithReporting } from "./run.js";

export function demoCommand() {
  return new Command("demo")
    .description(
      "create a sample repository with ten tasks and run them with the built-in scripted agent",
    )
    .option(
      "--dir <path>",
      "where to create the sample repository (default: a new temporary folder)",
    )
    .option("-c, --concurrency <n>", "how many agents may run at once", "3")
    .option(
      "--speed <factor>",
      "scale the scripted agent's work time (0.2 = five times faster)",
      "1",
    )
    .option("--stream", "print agent output prefixed with the task id")
    .option("--json", "print the event stream as NDJSON on stdout")
    .action(async (flags) => {
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
      const dir = flags.dir
        ? path.resolve(flags.dir)
        : await mkdtemp(path.join(os.tmpdir(), "lanes-demo-"));
      if (flags.dir && existsSync(dir) && readdirSync(dir).length > 0) {
        throw new LanesError("E_USAGE", `--dir ${dir} is not empty`, {
          hint: "give a new or empty folder, or leave out --dir for a temporary one",
        });
      }
      await createSampleRepo(dir, speed);
      const { run } = await import("../../index.js");
      const out = flags.json ? process.stderr : process.stdout;
      out.write(`Demo repository: ${dir}\n\n`);
      const exitCode = await runWithReporting(
        (hooks) =>
          run({
            ...hooks,
            cwd: dir,
            settings: settingsFromFlags({ concurrency: flags.concurrency }),
          }),
        {
          cwd: dir,
          ...(flags.stream ? { stream: true } : {}),
          ...(flags.json ? { json: true } : {}),
        },
      );
      const branch = execFileSync(
        "git",
        ["for-each-ref", "--format=%(refname:short)", "refs/heads/lanes/run/"],
        {
          cwd: dir,
          encoding: "utf8",
        },
      )
        .trim()
        .split("\n")
        .at(-1);
      if (branch) {
        out.write(`\nThe integration branch ${branch}, every task merged in:\n`);
        out.write(
          execFileSync("git", ["log", "--oneline", "--first-parent", "--decorate=no", branch], {
            cwd: dir,
            encoding: "utf8",
          }),
        );
      }
      out.write(`\nLook around: cd ${dir} && git log --graph --oneline ${branch ?? ""}\n`);
      process.exitCode = exitCode;
    });
}
