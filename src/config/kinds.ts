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

/** A URL alone (`redis://host:6379`), or the object form as JSON. */
function queueText(raw: string): unknown {
  return raw.trim().startsWith("{") ? agentText(raw) : raw.trim();
}

/** `true`/`false` as words; anything else stays text (`run`, `task`) for the schema. */
function switchText(raw: string): unknown {
  const word = raw.trim().toLowerCase();
  if (word === "true" || word === "1") return true;
  if (word === "false" || word === "0") return false;
  return raw.trim();
}

/** A JSON list, or words separated by commas (`spec,exec,qa`). */
function listText(raw: string): unknown {
  const text = raw.trim();
  if (text.startsWith("[")) {
    try {
      return JSON.parse(text);
    } catch {
      return raw;
    }
  }
  return text.split(",").map((word) => word.trim());
}

export interface ValueKind {
  /** What a valid value is, finishing "must be …" in errors and filling the README. */
  accepts: string;
  fromText: (raw: string) => unknown;
  /** Durations are written as text (`30m`) and resolved to milliseconds once, on loading. */
  unit?: "ms";
  /** An object whose layers merge field by field (a flag's URL keeps the file's other fields). */
  merges?: true;
}

import { parseDuration } from "./duration.js";

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

/** What a value over its kind's bound must be instead, finishing "must be …"; zod's messages too. */
export const OVER_LIMIT = {
  duration: `at most ${LIMITS.durationText} (longer waits overflow Node's timers, which then fire at once)`,
  slotCount: `at most ${LIMITS.concurrency} (each agent is a process tree and a worktree)`,
  retryCount: `at most ${LIMITS.retries} retries of one attempt`,
} as const;

export const KINDS = {
  positiveInteger: { accepts: "a positive integer", fromText: numberText },
  slotCount: { accepts: "a positive integer", fromText: numberText },
  retryCount: { accepts: "a whole number", fromText: numberText },
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
  lane: {
    accepts:
      '{ "copy": [".env"], "link": ["node_modules"], "setup": "npm run build", "setupTimeout": "10m", "teardown": …, "ports": 10, "portBase": 4100, "setPort": true, "sparse": ["packages/web"] } (JSON in LANES_LANE)',
    fromText: agentText,
  },
  overlap: { accepts: '"avoid" or "allow"', fromText: plainText },
  queue: {
    accepts:
      'a redis:// or rediss:// URL, or { "url": "redis://…", "remote": "origin", "timeout": "5m", "verifyOn": "workers", "lock": "30s" } (JSON in LANES_QUEUE)',
    fromText: queueText,
    merges: true,
  },
  github: {
    accepts:
      '{ "repository": "owner/name", "apiUrl": "https://…", "remote": "origin", "paceWrites": true } (JSON in LANES_GITHUB)',
    fromText: agentText,
  },
  prMode: {
    accepts: 'true (a pull request per task), "run" (one for the run) or false',
    fromText: switchText,
  },
  phases: {
    accepts:
      'a list of phases in order, from "spec", "exec" (required), "qa" (JSON in LANES_PHASES)',
    fromText: listText,
  },
  loops: { accepts: "a whole number of loops from 0 to 20", fromText: numberText },
  conflictPolicy: { accepts: '"agent" or "fail"', fromText: plainText },
  models: {
    accepts: '{ "spec": "…", "exec": "…", "qa": "…", "resolve": "…" } (JSON in LANES_MODELS)',
    fromText: agentText,
  },
} as const satisfies Record<string, ValueKind>;

export type KindName = keyof typeof KINDS;

/**
 * For a value of the right form that lies past its kind's bound, what it must be instead (so that
 * `--concurrency 5000` is told the limit, not that it is no positive integer); else undefined.
 */
export function overLimit(kind: KindName, value: unknown): string | undefined {
  if (kind === "duration" && typeof value === "string") {
    const ms = parseDuration(value);
    return ms !== undefined && ms > LIMITS.durationMs ? OVER_LIMIT.duration : undefined;
  }
  if (typeof value !== "number" || !Number.isInteger(value)) return undefined;
  if (kind === "slotCount" && value > LIMITS.concurrency) return OVER_LIMIT.slotCount;
  if (kind === "retryCount" && value > LIMITS.retries) return OVER_LIMIT.retryCount;
  return undefined;
}
