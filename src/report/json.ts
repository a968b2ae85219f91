import type { LanesEvent } from "../run/events.js";
import type { Output, Reporter } from "./reporter.js";

/**
 * `--json`: the event stream as NDJSON, one event a line and nothing else, so that `jq` and
 * scripts can read the output as it comes. JSON.stringify escapes newlines inside strings, so
 * an event is always exactly one line.
 */
export class JsonReporter implements Reporter {
  private closed = false;

  constructor(private readonly out: Output) {}

  onEvent(event: LanesEvent): void {
    if (!this.closed) this.out.write(`${JSON.stringify(event)}\n`);
  }

  close(): void {
    this.closed = true;
  }
}
