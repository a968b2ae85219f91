import { z } from "zod";
import { parseDuration } from "./duration.js";

import { PRESET_NAMES } from "./presets.js";

export { PRESET_NAMES, type PresetName } from "./presets.js";

const duration = z.string().refine((text) => parseDuration(text) !== undefined, {
  message: "expected a duration such as 90s, 30m or 1h",
});

const argv = z.array(z.string().min(1)).min(1, { message: "the command needs at least a program" });

export const PresetAgentSchema = z.strictObject({
  preset: z.enum(PRESET_NAMES),
  model: z.string().min(1).optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
});

export const CommandAgentSchema = z.strictObject({
  command: argv,
  env: z.record(z.string(), z.string()).optional(),
});

/** A preset name, a preset with a model/extra args/env, or a custom argv (never run through a shell). */
export const AgentSettingSchema = z.union(
  [z.enum(PRESET_NAMES), PresetAgentSchema, CommandAgentSchema],
  {
    error: (issue) =>
      `expected a preset name (${PRESET_NAMES.join(", ")}), { "preset": ..., "model"?, "args"?, "env"? } or { "command": ["program", "arg", ...] }, got ${JSON.stringify(issue.input)}`,
  },
);
export type AgentSetting = z.infer<typeof AgentSettingSchema>;

/**
 * Who hears of a run's end (and, with `onTaskFailed`, of each failed task): a command (argv, never
 * a shell) that gets the JSON payload on stdin, and/or a webhook URL that gets it by POST.
 */
export const NotifySettingSchema = z
  .strictObject({
    command: argv.optional(),
    webhook: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).optional(),
    onTaskFailed: z.boolean().optional(),
  })
  .refine((notify) => notify.command !== undefined || notify.webhook !== undefined, {
    message: 'give "command" (an argv array), "webhook" (a URL), or both',
  });
export type NotifySetting = z.infer<typeof NotifySettingSchema>;

/**
 * `.lanes/settings.json` (and the user settings file): every key optional, unknown keys errors.
 * Defaults live in `DEFAULT_SETTINGS`, so that a layer only holds what its file says.
 */
export const SettingsFileSchema = z.strictObject({
  $schema: z.string().optional(),
  concurrency: z.number().int().positive().optional(),
  agent: AgentSettingSchema.optional(),
  timeout: duration.optional(),
  retries: z.number().int().min(0).optional(),
  worktreeDir: z.string().min(1).optional(),
  verify: z.union([z.string().min(1), argv]).optional(),
  gracePeriod: duration.optional(),
  heartbeat: duration.optional(),
  maxTokens: z.number().int().positive().optional(),
  maxCost: z.number().positive().optional(),
  notify: NotifySettingSchema.optional(),
});
export type SettingsFile = z.infer<typeof SettingsFileSchema>;

export interface Settings {
  concurrency: number;
  agent: AgentSetting;
  timeout: string;
  retries: number;
  /** Where lanes keeps worktrees; resolved against the repository root when relative. */
  worktreeDir: string | undefined;
  /** A test command that gates each task before it is merged: argv, or a string for `sh -c`. */
  verify: string | string[] | undefined;
  gracePeriod: string;
  heartbeat: string;
  maxTokens: number | undefined;
  maxCost: number | undefined;
  notify: NotifySetting | undefined;
}

export const DEFAULT_SETTINGS: Settings = {
  concurrency: 3,
  agent: "claude",
  timeout: "30m",
  retries: 0,
  worktreeDir: undefined,
  verify: undefined,
  gracePeriod: "5s",
  heartbeat: "60s",
  maxTokens: undefined,
  maxCost: undefined,
  notify: undefined,
};
