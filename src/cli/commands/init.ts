import { Command } from "@commander-js/extra-typings";

export function initCommand() {
  return new Command("init")
    .description(
      "create .lanes/settings.json and an example task, and keep run data out of git (safe to run twice)",
    )
    .action(async () => {
      const { initProject } = await import("../../init.js");
      const result = await initProject(process.cwd());
      for (const line of result.lines) process.stdout.write(`${line}\n`);
    });
}
