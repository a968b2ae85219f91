import { z } from "zod";
import { parseDuration } from "../config/duration.js";
import { AgentSettingSchema } from "../config/schema.js";
import { TASK_ID_PATTERN } from "../names.js";
import { TASK_STATUSES } from "./task.js";

const stringList = z.array(z.string().min(1)).default([]);

/** The front matter of `.lanes/tasks/<id>.md`. Keys lanes writes back are allowed too. */
export const TaskFrontMatterSchema = z.strictObject({
  title: z.string({ error: "title is required" }).trim().min(1, { message: "title is empty" }),
  depends_on: z
    .union([z.string().regex(TASK_ID_PATTERN), z.array(z.string())])
    .transform((value) => (typeof value === "string" ? [value] : value))
    .default([]),
  labels: stringList,
  status: z.enum(TASK_STATUSES).default("ready"),
  files: stringList,
  estimate: z
    .union([z.string(), z.number().positive()])
    .refine((value) => typeof value === "number" || parseDuration(value) !== undefined, {
      message: "expected a duration such as 20m or 1h",
    })
    .optional(),
  agent: AgentSettingSchema.optional(),
  // Written by lanes when a task is merged or fails (status write-back).
  completed_at: z.union([z.string(), z.date()]).optional(),
  branch: z.string().optional(),
  commits: z.array(z.string()).optional(),
  reason: z.string().optional(),
  run: z.string().optional(),
});
export type TaskFrontMatter = z.infer<typeof TaskFrontMatterSchema>;

/** An estimate in ms: a duration string, or a bare number of minutes. */
export function estimateMs(estimate: string | number | undefined): number | undefined {
  if (estimate === undefined) return undefined;
  return typeof estimate === "number" ? estimate * 60_000 : parseDuration(estimate);
}
