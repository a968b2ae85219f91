import type { LanesEvent } from "../run/events.js";

/**
 * A renderer of the run's event stream. Reporters never read a clock, a terminal or an
 * environment variable of their own: output, time and terminal facts are injected, so that a
 * test can feed events and assert the exact text.
 */
export interface Reporter {
  onEvent(event: LanesEvent): void;
  /**
   * Called by the CLI from its own interval (see TICK_MS) with the current time; reporters with
   * time-driven output (the heartbeat, the live redraw) do their timed work here and only here.
   */
  tick?(now: number): void;
  /** Flushes what is pending and leaves the output tidy; no output after this. */
  close(): void;
}

/** Where a reporter writes: `process.stdout`, `process.stderr`, or a test's buffer. */
export interface Output {
  write(text: string): void;
}

/** How often the CLI should call `tick`: the live view redraws at most this often. */
export const TICK_MS = 100;
