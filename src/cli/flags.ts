import { parseDuration } from "../config/duration.js";
import { PRESET_NAMES } from "../config/presets.js";
import type { SettingsFile } from "../config/schema.js";
import { LanesError } from "../errors.js";

/** Flags shared by the commands that plan or run tasks, as commander hands them over. */
export interface SettingsFlags {
  concurrency?: string;
  timeout?: string;
  retries?: string;
  agent?: string;
  maxTokens?: string;
  maxCost?: string;
}

function invalid(flag: string, value: string, must: string, hint?: string): LanesError {
  return new LanesError("E_USAGE", `Invalid ${flag} value: ${value}. ${must}`, {
    ...(hint ? { hint } : {}),
  });
}

function positiveInteger(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw invalid(flag, value, "Must be a positive integer.", `for example ${flag} 3`);
  }
  return Number(value);
}

/**
 * The command line's settings layer. Each value is checked here so that the error names the
 * flag as the user typed it, before any settings file is read or anything is started.
 */
export function settingsFromFlags(flags: SettingsFlags): SettingsFile {
  const layer: SettingsFile = {};
  if (flags.concurrency !== undefined)
    layer.concurrency = positiveInteger("--concurrency", flags.concurrency);
  if (flags.timeout !== undefined) {
    if (parseDuration(flags.timeout) === undefined) {
      throw invalid(
        "--timeout",
        flags.timeout,
        "Must be a duration such as 90s, 30m or 1h.",
        "for example --timeout 45m or 1h30m (units: ms, s, m, h, d)",
      );
    }
    layer.timeout = flags.timeout;
  }
  if (flags.retries !== undefined) {
    if (!/^\d+$/.test(flags.retries.trim())) {
      throw invalid(
        "--retries",
        flags.retries,
        "Must be a whole number (0 for no retries).",
        "for example --retries 2",
      );
    }
    layer.retries = Number(flags.retries);
  }
  if (flags.agent !== undefined) {
    if (!(PRESET_NAMES as readonly string[]).includes(flags.agent)) {
      throw invalid(
        "--agent",
        flags.agent,
        `Must be one of ${PRESET_NAMES.join(", ")}.`,
        'for a custom command set "agent": { "command": ["prog", "arg"] } in .lanes/settings.json',
      );
    }
    layer.agent = flags.agent as (typeof PRESET_NAMES)[number];
  }
  if (flags.maxTokens !== undefined)
    layer.maxTokens = positiveInteger("--max-tokens", flags.maxTokens);
  if (flags.maxCost !== undefined) {
    const cost = Number(flags.maxCost);
    if (!Number.isFinite(cost) || cost <= 0) {
      throw invalid(
        "--max-cost",
        flags.maxCost,
        "Must be a positive amount in US dollars, e.g. 5 or 2.50.",
        "for example --max-cost 5",
      );
    }
    layer.maxCost = cost;
  }
  return layer;
}

/**
 * The value of the one flag given among flags that exclude each other (`--fail-fast`,
 * `--sequential`, `--chain`, say), undefined when none is; two or more are a usage error.
 */
export function exclusiveFlag<T>(
  choices: readonly (readonly [flag: string, given: boolean | undefined, value: T])[],
  hint: string,
): T | undefined {
  const given = choices.filter(([, on]) => on);
  if (given.length > 1) {
    throw new LanesError(
      "E_USAGE",
      `${given.map(([flag]) => flag).join(" and ")} cannot be combined`,
      {
        hint,
      },
    );
  }
  return given[0]?.[2];
}
