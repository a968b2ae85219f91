import type { LanesEvent } from "../run/events.js";
import { colors } from "./colors.js";
import type { Output, Reporter } from "./reporter.js";
import { sanitizeLine } from "./text.js";

export interface StreamReporterOptions {
  out: Output;
  color?: boolean;
}

/**
 * `--stream`: agent output prefixed with its task id, `[t01] ...`. Each line goes out in a
 * single write of a whole line, so lines of concurrent tasks never mix inside a line. Agent
 * output is data: escape sequences and control characters are removed before it reaches the
 * terminal, and a stray newline inside a line still gets its own prefix.
 */
export class StreamReporter implements Reporter {
  private readonly out: Output;
  private readonly c;
  private closed = false;

  constructor(options: StreamReporterOptions) {
    this.out = options.out;
    this.c = colors(options.color ?? false);
  }

  onEvent(event: LanesEvent): void {
    if (this.closed || event.type !== "task_output") return;
    const prefix = this.c.cyan(`[${event.taskId}]`);
    const lines = event.line.replace(/\r?\n$/, "").split(/\r?\n/);
    for (const line of lines) {
      const text = sanitizeLine(line);
      this.out.write(text === "" ? `${prefix}\n` : `${prefix} ${text}\n`);
    }
  }

  close(): void {
    this.closed = true;
  }
}
