// `lanes init`: calls init() and says what it created and what it left as it was.
import { Command } from "@commander-js/extra-typings";
import type { InitEntry } from "../../init.js";

const OUTCOME: Record<InitEntry["outcome"], string> = {
  created: "created",
  updated: "updated",
  unchanged: "exists, unchanged",
};

export function initCommand() {
  return new Command("init")
    .description(
      "create .lanes/settings.json and an example task, and keep run data out of git (safe to run twice)",
    )
    .action(async () => {
      const { init } = await import("../../index.js");
      const result = await init();
      for (const entry of result.entries) {
        const note = entry.note ? ` (${entry.note})` : "";
        process.stdout.write(`${OUTCOME[entry.outcome]}  ${entry.path}${note}\n`);
      }
      process.stdout.write(
        "\nNext: edit the tasks in .lanes/tasks/, then `lanes plan` and `lanes run`.\n",
      );
    });
}
