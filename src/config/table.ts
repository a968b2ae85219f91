/**
 * Every setting, once: its kind of value, default, environment variable, flag (or an explicit
 * `null` for none), help text and the commands that take the flag. The file schema, the
 * `Settings` type and defaults, the env mapping, each command's options, settings.schema.json
 * and the README's table are all made from this, so that adding a setting is one entry here.
 * A key exists only as an entry here, so it cannot lack a flag decision, an env variable or
 * help (each is required; "no flag" is an explicit `null`), and a kind of value without a zod
 * schema is a type error in kind-schemas.ts (vitest's `CLIOptions<Config>` habit).
 * Free of zod at run time (types only), so that the CLI starts light.
 */
import type { z } from "zod";
import type { KIND_SCHEMAS } from "./kind-schemas.js";
import { KINDS, type KindName } from "./kinds.js";
import { PRESET_NAMES } from "./presets.js";

/** The commands whose options are built from this table. */
export type SettingsCommand = "run" | "resume" | "plan" | "demo" | "worker";

export interface FlagSpec {
  /** A one-letter alias: `c` gives `-c, --concurrency`. */
  short?: string;
  /** The value's name in --help: `<n>`, `<duration>`. */
  placeholder: string;
  /**
   * The value may be left out (`--pr` or `--pr run`): the flag alone means `true`. Only these
   * words are taken as its value, so that `--pr 1 2` leaves issues 1 and 2 as arguments.
   */
  optionalValue?: readonly string[];
  /** A good value, for the hint after a bad one: `for example --concurrency 3`. */
  example: string;
  commands: readonly SettingsCommand[];
  /** Help for the flag when it takes less than the file does (`--agent` takes presets only). */
  help?: string;
  /** The only values the flag takes (commander's `.choices()`). */
  choices?: readonly string[];
  /** The hint after a bad value, when `for example <flag> <example>` is not the best advice. */
  hint?: string;
}

type KindInput<K extends KindName> = z.input<(typeof KIND_SCHEMAS)[K]>;

export interface SettingEntry<K extends KindName = KindName, D = KindInput<K> | undefined> {
  kind: K;
  /** As a user would write it in settings.json; `undefined` when unset means "none". */
  default: D;
  /** How the README and --help show a default that is not a value (`../.lanes-worktrees`). */
  defaultText?: string;
  env: `LANES_${string}`;
  /** `null`: settings files and the environment only, decided, not forgotten. */
  flag: FlagSpec | null;
  help: string;
  /** Finishes "must be …" when the kind's own wording is not precise enough. */
  accepts?: string;
}

/** Checks each entry's default against its kind, keeping whether it has one in the type. */
function setting<K extends KindName, D extends KindInput<K> | undefined>(
  entry: SettingEntry<K, D>,
): SettingEntry<K, D> {
  return entry;
}

const RUNS = ["run", "resume"] as const;

export const SETTINGS = {
  concurrency: setting({
    kind: "slotCount",
    default: 3,
    env: "LANES_CONCURRENCY",
    flag: {
      short: "c",
      placeholder: "n",
      example: "3",
      commands: [...RUNS, "plan", "demo", "worker"],
    },
    help: "how many agents may run at once (a worker: how many jobs it runs at once)",
  }),
  agent: setting({
    kind: "agent",
    default: "claude",
    env: "LANES_AGENT",
    flag: {
      placeholder: "preset",
      example: "codex",
      commands: RUNS,
      choices: PRESET_NAMES,
      help: "the agent preset; a custom command goes in .lanes/settings.json",
      hint: 'for a custom command set "agent": { "command": ["prog", "arg"] } in .lanes/settings.json',
    },
    help: "which agent runs the tasks: a preset, a preset with a model, args or env, or a custom command (an argv, never run through a shell)",
  }),
  timeout: setting({
    kind: "duration",
    default: "30m",
    env: "LANES_TIMEOUT",
    flag: { placeholder: "duration", example: "45m", commands: RUNS },
    help: "end an agent attempt after this long, e.g. 90s, 30m, 1h30m",
  }),
  retries: setting({
    kind: "retryCount",
    default: 0,
    env: "LANES_RETRIES",
    flag: { placeholder: "n", example: "2", commands: RUNS },
    help: "re-runs of a failed attempt, with exponential backoff and jitter",
    accepts: "a whole number (0 for no retries)",
  }),
  phases: setting({
    kind: "phases",
    default: ["exec"],
    env: "LANES_PHASES",
    flag: {
      placeholder: "list",
      example: "spec,exec,qa",
      commands: RUNS,
      hint: "for example --phases spec,exec,qa (exec is required; the order is spec, exec, qa)",
    },
    help: "the agent phases each task goes through: spec writes a plan, exec does the work, qa reviews it with a verdict; a task's own `phases` wins",
  }),
  qaLoops: setting({
    kind: "loops",
    default: 2,
    env: "LANES_QA_LOOPS",
    flag: { placeholder: "n", example: "2", commands: RUNS },
    help: "how many times qa's needs_work sends its findings back to exec before the task fails with reason qa",
  }),
  verifyLoops: setting({
    kind: "loops",
    default: 2,
    env: "LANES_VERIFY_LOOPS",
    flag: { placeholder: "n", example: "2", commands: RUNS },
    help: "how many times a failed verify sends its failing tests back to the agent, apart from retries",
  }),
  conflicts: setting({
    kind: "conflictPolicy",
    default: "agent",
    env: "LANES_CONFLICTS",
    flag: { placeholder: "policy", example: "fail", commands: RUNS, choices: ["agent", "fail"] },
    help: "a lane that no longer merges: agent merges the integration head into it and has the agent resolve the conflict; fail fails the task",
  }),
  models: setting({
    kind: "models",
    default: undefined,
    env: "LANES_MODELS",
    flag: null,
    help: "a model per phase (spec, exec, qa, resolve), passed through the preset's model flag",
  }),
  verify: setting({
    kind: "command",
    default: undefined,
    env: "LANES_VERIFY",
    flag: null,
    help: "a test command run in the lane before its work is merged; a failure fails the task",
  }),
  worktreeDir: setting({
    kind: "path",
    default: undefined,
    defaultText: "../.lanes-worktrees",
    env: "LANES_WORKTREE_DIR",
    flag: null,
    help: "where lanes keeps worktrees (<worktreeDir>/<repo-name>/<task-id>), outside the repository",
  }),
  pool: setting({
    kind: "pool",
    default: undefined,
    defaultText: '{ "size": <concurrency> }',
    env: "LANES_POOL",
    flag: null,
    help: "finished lanes kept (under <worktreeDir>/<repo-name>/.pool) and reused for the next lanes, also by later runs; lanes clean removes them",
  }),
  gracePeriod: setting({
    kind: "duration",
    default: "5s",
    env: "LANES_GRACE_PERIOD",
    flag: null,
    help: "from SIGTERM to SIGKILL when an agent or verify command is ended",
  }),
  heartbeat: setting({
    kind: "duration",
    default: "60s",
    env: "LANES_HEARTBEAT",
    flag: null,
    help: "print a line after this long without events (CI and pipes)",
  }),
  pr: setting({
    kind: "prMode",
    default: false,
    env: "LANES_PR",
    flag: {
      placeholder: "mode",
      optionalValue: ["task", "run", "true", "false"],
      example: "run",
      commands: ["run"],
      help: "push each done task's branch and open or update its pull request; --pr run: one pull request for the run",
      hint: "--pr opens a pull request per task; --pr run one for the whole run",
    },
    help: 'push each done task\'s branch and open or update its pull request (true), or push the integration branch and open one pull request for the run ("run")',
  }),
  maxTokens: setting({
    kind: "positiveInteger",
    default: undefined,
    env: "LANES_MAX_TOKENS",
    flag: { placeholder: "n", example: "200000", commands: RUNS },
    help: "start no new task once the run used this many tokens",
  }),
  maxCost: setting({
    kind: "positiveAmount",
    default: undefined,
    env: "LANES_MAX_COST",
    flag: { placeholder: "usd", example: "5", commands: RUNS },
    help: "start no new task once the run cost this many US dollars",
    accepts: "a positive amount in US dollars, e.g. 5 or 2.50",
  }),
  notify: setting({
    kind: "notify",
    default: undefined,
    env: "LANES_NOTIFY",
    flag: null,
    help: "tell a command (JSON on stdin) and/or a webhook (JSON by POST) when the run ends, and with onTaskFailed when a task fails",
  }),
  lane: setting({
    kind: "lane",
    default: {},
    defaultText: '{ "ports": 10, "portBase": 4100, "setupTimeout": "10m", "setPort": true }',
    env: "LANES_LANE",
    flag: null,
    help: "what makes a new lane a working checkout: ignored files copied (copy, and .worktreeinclude) or symlinked (link) from the main checkout, a setup command run once in each new lane (with its own log and setupTimeout), a teardown run when a lane is removed, a block of ports per running lane (LANES_PORT, and PORT unless setPort is false), and for monorepos the folders each lane checks out (sparse)",
  }),
  overlap: setting({
    kind: "overlap",
    default: "avoid",
    env: "LANES_OVERLAP",
    flag: {
      placeholder: "mode",
      example: "allow",
      commands: [...RUNS, "plan"],
      choices: ["avoid", "allow"],
    },
    help: 'tasks whose `files` overlap never run at the same time ("avoid"), or may ("allow")',
  }),
  queue: setting({
    kind: "queue",
    default: undefined,
    env: "LANES_QUEUE",
    flag: {
      placeholder: "url",
      example: "redis://localhost:6379",
      commands: [...RUNS, "worker"],
      help: "run the attempts on `lanes worker`s through this Redis (redis:// or rediss://); a worker: the Redis to take jobs from",
    },
    help: "spread the run over `lanes worker`s on any machine through BullMQ on this Redis: url (redis:// or rediss://, with a password if it has one), remote (the git remote commits travel through, default origin), timeout (how long the run waits for a queue gone away before it stops as interrupted, default 5m), verifyOn (workers or coordinator), lock (how soon a dead worker's job goes to another, default 30s)",
  }),
  github: setting({
    kind: "github",
    default: undefined,
    env: "LANES_GITHUB",
    flag: null,
    help: "where GitHub is when GITHUB_REPOSITORY / GITHUB_API_URL do not say (repository, apiUrl for GitHub Enterprise), the remote lanes pushes to (default origin), and paceWrites (default true)",
  }),
};

export type SettingsTable = typeof SETTINGS;
export type SettingKey = keyof SettingsTable;

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

export function entryOf(key: SettingKey): SettingEntry {
  return SETTINGS[key] as SettingEntry;
}

/** "must be …" wording of one setting. */
export function acceptsOf(key: SettingKey): string {
  const entry = entryOf(key);
  return entry.accepts ?? KINDS[entry.kind].accepts;
}

/** Durations resolve to `<key>Ms` (`timeout` -> `timeoutMs`), so that the unit is in the name. */
export type ResolvedKey<K extends SettingKey> = SettingsTable[K]["kind"] extends "duration"
  ? `${K}Ms`
  : K;

export function resolvedKey(key: SettingKey): string {
  const unit: string | undefined = (KINDS[entryOf(key).kind] as { unit?: string }).unit;
  return unit === "ms" ? `${key}Ms` : key;
}

/** `--max-tokens` for `maxTokens`. */
export function flagName(key: SettingKey): string {
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** How --help and the README show a default: `3`, `"30m"`, `none`. */
export function defaultText(key: SettingKey, quote: boolean): string | undefined {
  const entry = entryOf(key);
  if (entry.defaultText) return entry.defaultText;
  if (entry.default === undefined) return undefined;
  return typeof entry.default === "string" && !quote
    ? entry.default
    : JSON.stringify(entry.default);
}
