import type { LanesEvent } from "../run/events.js";
import type { Reporter } from "./reporter.js";

/**
 * Several reporters as one (`--stream` with plain lines, say). Every reporter sees every event
 * even if one of them throws; the first error is rethrown once all have had their turn.
 */
export function combine(...reporters: Reporter[]): Reporter {
  const each = (call: (reporter: Reporter) => void) => {
    let failure: { error: unknown } | undefined;
    for (const reporter of reporters) {
      try {
        call(reporter);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  };
  return {
    onEvent: (event: LanesEvent) => each((reporter) => reporter.onEvent(event)),
    tick: (now: number) => each((reporter) => reporter.tick?.(now)),
    close: () => each((reporter) => reporter.close()),
  };
}
