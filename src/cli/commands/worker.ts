import { Command } from "@commander-js/extra-typings";
import type { WorkerEvent } from "../../queue/worker.js";
import { settingsFromFlags, withSettingOptions } from "../flags.js";
import { handleInterrupts } from "../interrupt.js";

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** One line per thing a worker does, for its terminal or its service log. */
function workerLine(event: WorkerEvent): string {
  switch (event.type) {
    case "worker_ready":
      return `lanes worker ${event.name}: waiting for jobs on ${event.queue} (concurrency ${event.concurrency}, lock ${event.lockMs / 1000}s, clones in ${event.dir})`;
    case "job_started":
      return `▶ ${event.taskId} (run ${event.runId}, attempt ${event.attempt}) from ${event.repository}`;
    case "job_finished":
      return `${event.result === "ok" ? "✓" : "✗"} ${event.taskId} (run ${event.runId}, attempt ${event.attempt}): ${event.result}${event.detail ? ` (${event.detail.split("\n")[0]})` : ""}`;
    case "job_refused":
      return `✗ refused job ${event.jobId}: ${event.why}`;
    case "job_returned":
      return `↩ ${event.taskId} (run ${event.runId}) back in the queue for another worker`;
    case "warning":
      return `! ${event.message}`;
  }
}

export function workerCommand() {
  const command = new Command("worker").description(
    "run queued lanes for `lanes run --queue` coordinators, on this or any machine (Ctrl-C puts its jobs back)",
  );
  return withSettingOptions(command, "worker")
    .option("--dir <path>", "where the cached clones go (default: ~/.cache/lanes/worker)")
    .option("--name <name>", "how events name this worker (default: host:pid)")
    .option("--repo <url>", "take jobs of this repository only (repeatable)", collect)
    .action(async (flags) => {
      const { dir, name, repo, ...settingFlags } = flags;
      const settings = await settingsFromFlags(settingFlags);
      const { worker } = await import("../../index.js");
      const interrupts = handleInterrupts(() =>
        process.stderr.write(
          "Stopping: ending agents and returning their jobs to the queue (Ctrl-C again to exit at once)\n",
        ),
      );
      try {
        await worker({
          settings,
          ...(dir ? { dir } : {}),
          ...(name ? { name } : {}),
          ...(repo ? { repositories: repo } : {}),
          signal: interrupts.signal,
          onEvent: (event) => process.stdout.write(`${workerLine(event)}\n`),
        });
      } finally {
        interrupts.dispose();
      }
      process.exitCode = 130;
    });
}
