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

/** JSON for the object forms (a preset name stays text). */
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

export const KINDS = {
  positiveInteger: { accepts: "a positive integer", fromText: numberText },
  wholeNumber: { accepts: "a whole number", fromText: numberText },
  positiveAmount: { accepts: "a positive number", fromText: numberText },
  duration: {
    accepts: "a duration such as 90s, 30m or 1h",
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
  pool: {
    accepts: '{ "size": 4 } (JSON in LANES_POOL; size 0 turns the pool off)',
    fromText: agentText,
  },
  notify: {
    accepts:
      '{ "command": ["prog", "arg"], "webhook": "https://…", "onTaskFailed": true } (JSON in LANES_NOTIFY)',
    fromText: agentText,
  },
} as const satisfies Record<string, ValueKind>;

export type KindName = keyof typeof KINDS;
