import { Command } from "@commander-js/extra-typings";
import { settingsFromFlags, withSettingOptions } from "../flags.js";

export function planCommand() {
  const command = new Command("plan")
    .description(
      "show what a run would do: waves, critical path, cost at the configured concurrency, and tasks kept apart because their files overlap; changes nothing",
    )
    .argument(
      "[ids...]",
      "task ids or GitHub issue numbers (12 or #12) to plan (their unfinished dependencies are pulled in)",
    )
    .option("-l, --label <label...>", "plan the tasks that carry one of these labels")
    .option("--github", "--label picks open GitHub issues instead of task files")
    .option("--only", "take exactly the ids given, without their dependencies");
  return withSettingOptions(command, "plan")
    .option("--json", "print one JSON object: tasks, waves, critical_path, cost, overlap")
    .action(async (ids, options) => {
      const { github, ...settingFlags } = options;
      const settings = await settingsFromFlags(settingFlags);
      // The engine loads only for a command that needs it: `lanes --help` stays quick.
      const [{ plan }, { formatPlan }] = await Promise.all([
        import("../../index.js"),
        import("../../report/plan-text.js"),
      ]);
      const result = await plan({
        ids,
        labels: options.label ?? [],
        only: options.only ?? false,
        ...(github ? { github: true } : {}),
        settings,
      });
      process.stdout.write(
        options.json ? `${JSON.stringify(result, null, 2)}\n` : formatPlan(result),
      );
    });
}
