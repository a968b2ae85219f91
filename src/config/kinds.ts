/**
 * The kinds of value a setting can hold, and how each is read from the text of a flag or an
 * environment variable. Kept free of zod so that the CLI can build its options without loading
 * the validators; each kind's zod schema is in kind-schemas.ts, keyed by the same names.
 */

/** Numbers as people type them (`3`, ` 2 `, `2.50`); anything else stays text for the schema to reject. */
function numberText(raw: string): unknown {
  return /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw.trim()) : raw;
}

function plainText(raw: string): unknown {
  return raw;
}

/** A preset name, or JSON for the object forms. */
function agentText(raw: string): unknown {
  if (!raw.trim().startsWith("{")) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export interface ValueKind {
  /** What a valid value is, finishing "must be …" in errors and filling the README. */
  accepts: string;
  fromText: (raw: string) => unknown;
  /** Durations are written as text (`30m`) and resolved to milliseconds once, on loading. */
  unit?: "ms";
}

/**
 * Bounds past which a value means nothing: Node's timers hold at most 2^31-1 ms (about 24.8
 * days) and fire at once beyond it; more agents or retries than these are typing slips, and a
 * thousand agents would exhaust processes and git long before they helped.
 */
export const LIMITS = {
  durationMs: 24 * 86_400_000,
  durationText: "24d",
  concurrency: 1024,
  retries: 100,
} as const;

export const KINDS = {
  positiveInteger: { accepts: "a positive integer", fromText: numberText },
  slotCount: {
    accepts: `a whole number from 1 to ${LIMITS.concurrency}`,
    fromText: numberText,
  },
  retryCount: {
    accepts: `a whole number from 0 to ${LIMITS.retries} (0 for no retries)`,
    fromText: numberText,
  },
  wholeNumber: { accepts: "a whole number", fromText: numberText },
  positiveAmount: { accepts: "a positive number", fromText: numberText },
  duration: {
    accepts: `a duration such as 90s, 30m or 1h, at most ${LIMITS.durationText}`,
    fromText: plainText,
    unit: "ms",
  },
  path: { accepts: "a path", fromText: plainText },
  command: {
    accepts: 'a command line for sh -c ("npm test"), or an argv array (["npm", "test"])',
    fromText: plainText,
  },
  agent: {
    accepts:
      'a preset name, { "preset": "codex", "model": "…", "args": […], "env": {…} } or { "command": ["prog", "arg"], "env": {…} } (JSON in LANES_AGENT)',
    fromText: agentText,
  },
} as const satisfies Record<string, ValueKind>;

export type KindName = keyof typeof KINDS;
