import { z } from "zod";
import { parseDuration } from "../config/duration.js";
import { AgentSettingSchema } from "../config/schema.js";
import { TASK_ID_PATTERN } from "../names.js";
import { PhasesSchema } from "../quality/settings.js";
import { TASK_STATUSES } from "./task.js";

/** Longer than this, an estimate means nothing to the scheduler and is most likely a typo. */
const MAX_ESTIMATE_MS = 30 * 86_400_000;

const stringList = z.array(z.string().min(1)).default([]);

/** The front matter of `.lanes/tasks/<id>.md`. Keys lanes writes back are allowed too. */
export const TaskFrontMatterSchema = z.strictObject({
  // `title: 1984` is YAML for a number, but plainly meant as text.
  title: z
    .union([z.string(), z.number(), z.boolean()], {
      error: (issue) =>
        issue.input === undefined || issue.input === null
          ? "title is required"
          : `title must be text, got ${Array.isArray(issue.input) ? "a list" : typeof issue.input}`,
    })
    .transform(String)
    .pipe(z.string().trim().min(1, { message: "title is empty" })),
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
    .refine((value) => (estimateMs(value) ?? 0) <= MAX_ESTIMATE_MS, {
      message: "is longer than 30 days: an agent's task is minutes or hours (write 20m or 2h)",
    })
    .optional(),
  agent: AgentSettingSchema.optional(),
  phases: PhasesSchema.optional(),
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
