// `lanes logs`: parses the flags, reads logs() and writes the log to stdout, saying on stderr which
// log it is.
import { Command } from "@commander-js/extra-typings";
import { LanesError } from "../../errors.js";
import type { LogChunk } from "../../logs/logs.js";

function parseAttempt(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new LanesError(
      "E_USAGE",
      `Invalid --attempt value: ${JSON.stringify(text)}. Must be a whole number from 1.`,
      {
        hint: "for example --attempt 2 (lanes status shows how many attempts a task had)",
      },
    );
  }
  return Number(text);
}

function checkPhase(text: string | undefined): string | undefined {
  if (text !== undefined && !/^[a-z][a-z0-9_-]*$/.test(text)) {
    throw new LanesError("E_USAGE", `Invalid --phase value: ${JSON.stringify(text)}`, {
      hint: "a phase name such as exec or verify",
    });
  }
  return text;
}

/** Writes to stdout; false once the reader has gone (`lanes logs x | head`). */
class Out {
  private closed = false;
  private readonly onError = () => {
    this.closed = true;
  };

  constructor() {
    process.stdout.on("error", this.onError);
  }

  get open(): boolean {
    return !this.closed;
  }

  write(chunk: Uint8Array): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      process.stdout.write(chunk, (error) => {
        if (error) this.closed = true;
        resolve();
      });
    });
  }

  dispose(): void {
    process.stdout.off("error", this.onError);
  }
}

/** What stderr says about a chunk that is not output. */
function note(chunk: Exclude<LogChunk, { type: "output" }>): string {
  if (chunk.type === "stopped") {
    return `lanes: run ${chunk.runId} stopped without finishing: lanes resume ${chunk.runId}\n`;
  }
  if (chunk.next) return `lanes: ${chunk.taskId} ${chunk.phase} attempt ${chunk.attempt}\n`;
  const also = chunk.others.length > 0 ? ` (also: ${chunk.others.join(", ")})` : "";
  return `lanes: run ${chunk.runId}, task ${chunk.taskId}, ${chunk.phase} attempt ${chunk.attempt}${also}: ${chunk.file}\n`;
}

export function logsCommand() {
  return new Command("logs")
    .description(
      "print a task's agent output: the latest run that has the task, its latest attempt; --follow a live run",
    )
    .argument("<task>", "the task id")
    .option("--run <run-id>", "the run to read (default: the latest run that has the task)")
    .option("--phase <phase>", "which log: exec (the agent; default) or verify")
    .option("--attempt <n>", "which attempt (default: the latest)")
    .option("-f, --follow", "keep printing new output while the task runs; stop when it finishes")
    .action(async (taskId, flags) => {
      const phase = checkPhase(flags.phase);
      const attempt = parseAttempt(flags.attempt);
      // The engine loads only for a command that needs it: `lanes --help` stays quick.
      const { logs } = await import("../../index.js");
      const out = new Out();
      try {
        for await (const chunk of logs({
          task: taskId,
          follow: flags.follow ?? false,
          ...(flags.run === undefined ? {} : { runId: flags.run }),
          ...(phase === undefined ? {} : { phase }),
          ...(attempt === undefined ? {} : { attempt }),
        })) {
          if (chunk.type === "output") await out.write(chunk.data);
          else process.stderr.write(note(chunk));
          if (!out.open) break;
        }
      } finally {
        out.dispose();
      }
    });
}
