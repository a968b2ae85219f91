/**
 * What travels through the queue, as zod schemas checked on both ends: a job (data only — ids,
 * commits, the task's title and body — never an argv or a command: a worker takes its agent, setup
 * and verify from the repository's committed settings and its own), the progress a worker reports
 * while it runs, and the result it completes the job with.
 */
import { z } from "zod";
import type { FailureReason } from "../run/events.js";

const failureReason = z.enum([
  "auth",
  "rate_limit",
  "overloaded",
  "timeout",
  "crash",
  "no_changes",
  "conflict",
  "verify",
  "exit",
  "spawn",
  "interrupted",
  "budget",
  "dependency",
  "git",
  "task_file",
  "disk_full",
  "setup",
  "github",
  "qa",
  "remote",
]);

// The engine's failure reasons and no other: a type error the day the two lists drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameReasons: Same<z.infer<typeof failureReason>, FailureReason> = true;
void sameReasons;

/** Text that reaches git's argv: never something git would read as an option. */
const notAnOption = z
  .string()
  .min(1)
  .refine((text) => !text.startsWith("-") && !/[\0\n]/.test(text), {
    message: "must not start with - or hold a newline",
  });

export const JobDataSchema = z.strictObject({
  /** The remote's URL as the coordinator knows it: which repository to clone and push to. */
  repository: notAnOption,
  runId: z.string().regex(/^[A-Za-z0-9._-]+$/),
  taskId: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
  attempt: z.number().int().positive(),
  /** The integration branch on the remote, and the commit on it the lane starts from. */
  baseRef: z.string().regex(/^refs\/heads\/lanes\/run\/[A-Za-z0-9._-]+$/),
  baseCommit: z.string().regex(/^[0-9a-f]{40}$/),
  /** Where the lane's commit goes on the remote (`lanes/<id>`). */
  branch: z.string().regex(/^lanes\/[a-z0-9][a-z0-9._/-]*$/),
  task: z.strictObject({
    title: z.string(),
    body: z.string(),
    file: z.string(),
    labels: z.array(z.string()),
    phases: z.array(z.enum(["spec", "exec", "qa"])).optional(),
  }),
  /** `<reason>: <detail>` of the attempt before, for the retry's prompt. */
  previousFailure: z.string().optional(),
  /** The failing tests a failed verify fed back, for the exec prompt. */
  verifyOutput: z.string().optional(),
  /** Whether the worker runs verify (`queue.verifyOn`). */
  verify: z.boolean(),
  /** Whether to send every output line back (the coordinator's logs and `--stream`). */
  output: z.boolean(),
});
export type JobData = z.infer<typeof JobDataSchema>;

/** A run's event as the worker's own ledger told it, and output lines in batches. */
export const ProgressSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("event"),
    worker: z.string(),
    event: z.looseObject({ type: z.string() }),
  }),
  z.strictObject({
    kind: z.literal("output"),
    worker: z.string(),
    /** The log the lines belong to, as `<phase>.<run>` (logs/<task>/<phase>.<run>.log). */
    log: z.string(),
    lines: z.array(z.string()),
  }),
]);
export type Progress = z.infer<typeof ProgressSchema>;

export const ResultSchema = z.strictObject({
  repository: z.string(),
  runId: z.string(),
  taskId: z.string(),
  attempt: z.number().int(),
  worker: z.string(),
  kind: z.enum(["ok", "failed", "cancelled"]),
  failure: z
    .strictObject({
      reason: failureReason,
      detail: z.string(),
      retryable: z.boolean(),
      retryAfterMs: z.number().optional(),
    })
    .optional(),
  /** The lane's commit, pushed to `branch` on the remote. */
  commit: z.string().optional(),
  /** Verify ran on the worker and passed. */
  verified: z.boolean(),
  /** The end of verify's log when verify failed, for the coordinator's feedback loop. */
  verifyLog: z.string().optional(),
  tokens: z.strictObject({ input: z.number(), output: z.number() }).optional(),
  cost: z.number().optional(),
  durationMs: z.number(),
});
export type QueueResult = z.infer<typeof ResultSchema>;
