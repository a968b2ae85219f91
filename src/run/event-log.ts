import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import path from "node:path";
import type { LanesEvent } from "./events.js";

/** Events too chatty for the log: output lines are in the task's log file already. */
const NOT_LOGGED = new Set<LanesEvent["type"]>(["task_output"]);

/**
 * Appends every event to events.ndjson (one JSON object a line) and hands it to the listener.
 * A listener that throws is a bug in the caller's code, not a reason to lose the run.
 */
export class EventLog {
  private readonly stream: WriteStream;

  constructor(
    file: string,
    private readonly listener: ((event: LanesEvent) => void) | undefined,
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.stream = createWriteStream(file, { flags: "a" });
    this.stream.on("error", () => {});
  }

  emit(event: LanesEvent): void {
    if (!NOT_LOGGED.has(event.type)) this.stream.write(`${JSON.stringify(event)}\n`);
    try {
      this.listener?.(event);
    } catch {
      // Reporting must never break the run.
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}
