/** The `agent` setting's shapes: a preset name, a preset with extras, or a custom argv. */
import { z } from "zod";
import { PRESET_NAMES } from "./presets.js";

export const argv = z
  .array(z.string().min(1))
  .min(1, { message: "the command needs at least a program" });

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
