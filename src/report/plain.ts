import type { LanesEvent } from "../run/events.js";
import { colors } from "./colors.js";
import { eventLine, heartbeatLine } from "./lines.js";
import { RunProgress } from "./progress.js";
import type { Output, Reporter } from "./reporter.js";

export interface PlainReporterOptions {
  out: Output;
  now: () => number;
  color?: boolean;
  /** Silence after which a heartbeat line is printed; default 60 s (the `heartbeat` setting). */
  heartbeatMs?: number;
}

export const DEFAULT_HEARTBEAT_MS = 60_000;

/**
 * One line per event, for CI logs and pipes: nothing is redrawn, so every line stays readable
 * in a log file. A long run is never silent: `tick` prints a heartbeat after `heartbeatMs`
 * without a line of ours (events that print nothing, such as raw output, do not count, since
 * the log would still look stuck).
 */
export class PlainReporter implements Reporter {
  private readonly progress = new RunProgress();
  private readonly out: Output;
  private readonly now: () => number;
  private readonly c;
  private readonly heartbeatMs: number;
  private lastWriteAt: number | undefined;
  private closed = false;

  constructor(options: PlainReporterOptions) {
    this.out = options.out;
    this.now = options.now;
    this.c = colors(options.color ?? false);
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  }

  onEvent(event: LanesEvent): void {
    if (this.closed) return;
    this.progress.apply(event);
    const line = eventLine(event, this.progress, this.c);
    if (line !== undefined) this.print(line, this.now());
    else if (event.type === "run_started") this.lastWriteAt = this.now();
  }

  tick(now: number): void {
    if (this.closed || this.lastWriteAt === undefined || this.progress.finished) return;
    if (now - this.lastWriteAt < this.heartbeatMs) return;
    this.print(heartbeatLine(this.progress, now, this.c), now);
  }

  close(): void {
    this.closed = true;
  }

  private print(line: string, at: number): void {
    this.out.write(`${line}\n`);
    this.lastWriteAt = at;
  }
}
