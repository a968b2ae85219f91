/**
 * The settings of the quality loop, as zod shapes: which phases a task goes through, how many
 * times qa and verify may send work back, what a conflict does, and a model per phase. They live
 * here, not in config/, so that the settings table can take them as they are when it is wired.
 */
import { z } from "zod";

/** The pipeline's phases, in the one order they run in. */
export const PHASE_ORDER = ["spec", "exec", "qa"] as const;
export type Phase = (typeof PHASE_ORDER)[number];

/** Every agent invocation lanes can make, including the resolve of a merge conflict. */
export const AGENT_PHASES = ["spec", "exec", "qa", "resolve"] as const;
export type AgentPhase = (typeof AGENT_PHASES)[number];

/**
 * `phases: ["spec", "exec", "qa"]`: exec is required, each phase once, in the fixed order, so that
 * a list written out of order is a mistake pointed out rather than silently reordered.
 */
export const PhasesSchema = z
  .array(
    z.enum(PHASE_ORDER, {
      error: (issue) => `unknown phase ${JSON.stringify(issue.input)} (allowed: spec, exec, qa)`,
    }),
  )
  .superRefine((phases, ctx) => {
    if (!phases.includes("exec")) {
      ctx.addIssue({
        code: "custom",
        message: 'must include "exec" (the phase that does the work)',
      });
      return;
    }
    const seen = new Set<Phase>();
    for (const phase of phases) {
      if (seen.has(phase)) {
        ctx.addIssue({ code: "custom", message: `lists "${phase}" twice` });
        return;
      }
      seen.add(phase);
    }
    const ordered = PHASE_ORDER.filter((phase) => seen.has(phase));
    if (ordered.some((phase, i) => phases[i] !== phase)) {
      ctx.addIssue({
        code: "custom",
        message: `phases run in the order spec, exec, qa: write ${JSON.stringify(ordered)}`,
      });
    }
  });

const loops = (what: string) =>
  z
    .number({ error: `${what} must be a whole number of loops, such as 2` })
    .int({ message: `${what} must be a whole number` })
    .min(0, { message: `${what} cannot be negative` })
    .max(20, { message: `${what} above 20 would let one task loop for hours` });

/** How many loops a setting allows: the settings table's kind for qaLoops and verifyLoops. */
export const LoopsSchema = loops("the number of loops");

/** `agent`: a resolve phase merges the integration head in; `fail`: the task fails. */
export const ConflictPolicySchema = z.enum(["agent", "fail"], {
  error: (issue) => `conflicts must be "agent" or "fail", got ${JSON.stringify(issue.input)}`,
});
export type ConflictPolicy = z.infer<typeof ConflictPolicySchema>;

/** A model per phase, passed through the preset's model flag. */
export const ModelsSchema = z.partialRecord(
  z.enum(AGENT_PHASES),
  z.string().trim().min(1, { message: "model name is empty" }),
);

export const QualitySettingsSchema = z.object({
  phases: PhasesSchema.default(["exec"]),
  /** How many times qa's `needs_work` may send findings back to exec. */
  qaLoops: loops("qaLoops").default(2),
  /** How many times a failed verify is fed back to the agent, apart from `retries`. */
  verifyLoops: loops("verifyLoops").default(2),
  conflicts: ConflictPolicySchema.default("agent"),
  models: ModelsSchema.default({}),
});
export type QualitySettings = z.infer<typeof QualitySettingsSchema>;

/** A task's phases: its own front matter wins over the settings. */
export function phasesFor(
  task: { phases?: readonly Phase[] | undefined },
  settings: Pick<QualitySettings, "phases">,
): readonly Phase[] {
  return task.phases ?? settings.phases;
}
