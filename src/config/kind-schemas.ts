/** The zod schema of each kind of setting value: one validator for files, env and flags alike. */
import { z } from "zod";
import { AgentSettingSchema, argv } from "./agent-setting.js";
import { parseDuration } from "./duration.js";
import type { KindName } from "./kinds.js";
import { NotifySettingSchema } from "./notify-setting.js";

/** Written as text, resolved to milliseconds here, so that nothing downstream parses it again. */
const duration = z
  .string()
  .refine((text) => parseDuration(text) !== undefined, {
    message: "expected a duration such as 90s, 30m or 1h",
  })
  .transform((text) => parseDuration(text)!);

export const KIND_SCHEMAS = {
  positiveInteger: z.number().int().positive(),
  wholeNumber: z.number().int().min(0),
  positiveAmount: z.number().positive(),
  duration,
  path: z.string().min(1),
  command: z.union([z.string().min(1), argv]),
  agent: AgentSettingSchema,
  notify: NotifySettingSchema,
  pool: z.strictObject({ size: z.number().int().min(0).optional() }),
} satisfies Record<KindName, z.ZodType>;
