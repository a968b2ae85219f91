/** The zod schema of each kind of setting value: one validator for files, env and flags alike. */
import { z } from "zod";
import {
  ConflictPolicySchema,
  LoopsSchema,
  ModelsSchema,
  PhasesSchema,
} from "../quality/settings.js";
import { AgentSettingSchema, argv } from "./agent-setting.js";
import { parseDuration } from "./duration.js";
import { GithubSettingSchema, PrSettingSchema } from "./github-setting.js";
import { type KindName, LIMITS, OVER_LIMIT } from "./kinds.js";
import { LaneSettingSchema } from "./lane-setting.js";
import { NotifySettingSchema } from "./notify-setting.js";
import { QueueSettingSchema } from "./queue-setting.js";

/** Written as text, resolved to milliseconds here, so that nothing downstream parses it again. */
const duration = z
  .string()
  .refine((text) => parseDuration(text) !== undefined, {
    message: "expected a duration such as 90s, 30m or 1h",
  })
  .refine((text) => (parseDuration(text) ?? 0) <= LIMITS.durationMs, {
    message: `must be ${OVER_LIMIT.duration}`,
  })
  .transform((text) => parseDuration(text)!);

export const KIND_SCHEMAS = {
  positiveInteger: z.number().int().positive(),
  wholeNumber: z.number().int().min(0),
  slotCount: z
    .number()
    .int()
    .positive()
    .max(LIMITS.concurrency, { message: `must be ${OVER_LIMIT.slotCount}` }),
  retryCount: z
    .number()
    .int()
    .min(0)
    .max(LIMITS.retries, { message: `must be ${OVER_LIMIT.retryCount}` }),
  positiveAmount: z.number().positive(),
  duration,
  path: z.string().min(1),
  command: z.union([z.string().min(1), argv]),
  agent: AgentSettingSchema,
  notify: NotifySettingSchema,
  lane: LaneSettingSchema,
  overlap: z.enum(["avoid", "allow"]),
  queue: QueueSettingSchema,
  github: GithubSettingSchema,
  prMode: PrSettingSchema,
  phases: PhasesSchema,
  loops: LoopsSchema,
  conflictPolicy: ConflictPolicySchema,
  models: ModelsSchema,
  pool: z.strictObject({ size: z.number().int().min(0).optional() }),
} satisfies Record<KindName, z.ZodType>;
