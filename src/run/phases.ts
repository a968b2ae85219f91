/**
 * A task's attempt as its phases, in one lane while it holds its slot: spec (once; its plan is
 * kept in the run folder and given to exec), exec, and qa, whose needs_work sends the findings
 * back to exec up to `qaLoops` times. Returns an outcome like one agent attempt does, so that
 * the orchestrator keeps its shape: attempt, then landing.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { PromptPhase } from "../agents/prompt.js";
import { commitAll } from "../git/merge.js";
import { dirtyFiles, headCommit } from "../git/repo.js";
import { type Phase, phasesFor } from "../quality/settings.js";
import { readVerdict } from "../quality/verdict.js";
import { planPath, verdictPath } from "../state/layout.js";
import type { QualityRecord } from "../state/run-state.js";
import {
  type AgentOutcome,
  type AttemptContext,
  type PhaseRun,
  runAgentAttempt,
} from "./agent-attempt.js";
import type { TaskRuntime } from "./task-runtime.js";

/** The diff qa reviews is cut here: a review of megabytes helps nobody. */
const MAX_DIFF_CHARS = 60_000;

export function qualityOf(runtime: TaskRuntime): QualityRecord {
  runtime.record.quality ??= {};
  return runtime.record.quality;
}

/** The number of this run of `phase` for the task: the attempt, or one past its last run. */
export function nextRun(runtime: TaskRuntime, phase: string, attempt: number): number {
  const quality = qualityOf(runtime);
  const run = Math.max(attempt, (quality.runs?.[phase] ?? 0) + 1);
  quality.runs = { ...quality.runs, [phase]: run };
  return run;
}

/** The task's phases in order, then ok (ready to land) or why not. */
export async function runPhases(
  ctx: AttemptContext,
  runtime: TaskRuntime,
  attempt: number,
  lane: string,
  signal: AbortSignal,
): Promise<AgentOutcome> {
  const phases = phasesFor(runtime.task, ctx.prepared.settings);
  const quality = qualityOf(runtime);
  const phase = (name: PromptPhase, extra: Omit<PhaseRun, "phase" | "run"> = {}) => {
    quality.phase = name;
    const model = ctx.prepared.settings.models?.[name];
    return runAgentAttempt(ctx, runtime, attempt, lane, signal, {
      phase: name,
      run: nextRun(runtime, name, attempt),
      template: ctx.prepared.promptTemplates?.[name],
      ...(model ? { model } : {}),
      ...extra,
    });
  };
  let plan: string | undefined;
  if (phases.includes("spec")) {
    const specced = await spec(ctx, runtime, lane, phase);
    if (specced.kind !== "ok") return specced.outcome;
    plan = specced.plan;
  }
  const verifyOutput = await readVerifyOutput(runtime);
  const feedback = {
    ...(plan !== undefined ? { plan } : {}),
    ...(verifyOutput !== undefined ? { verifyOutput } : {}),
  };
  // A task resumed in qa, or sent back by it, continues with the findings it was given.
  const pending = quality.verdict === "needs_work" ? quality.findings : undefined;
  let outcome = await phase("exec", {
    prompt: { ...feedback, ...(pending?.length ? { findings: pending } : {}) },
  });
  if (outcome.kind !== "ok" || !phases.includes("qa" satisfies Phase)) return outcome;
  const limit = ctx.prepared.settings.qaLoops;
  for (;;) {
    const review = await qa(ctx, runtime, attempt, lane, plan, phase);
    if (review.kind === "outcome") return review.outcome;
    const loops = quality.qaLoops ?? 0;
    ctx.ledger.emit({
      type: "qa_verdict",
      taskId: runtime.id,
      verdict: review.verdict,
      findings: review.findings,
      loop: loops + 1,
      of: limit + 1,
    });
    Object.assign(quality, { verdict: review.verdict, findings: review.findings });
    ctx.ledger.save();
    if (review.verdict === "ready") return { kind: "ok" };
    if (review.verdict !== "needs_work") return qaFailed(review.detail, review.findings);
    if (loops >= limit) {
      return qaFailed(
        `qa still found work after ${limit} loop${limit === 1 ? "" : "s"} (qaLoops ${limit})`,
        review.findings,
      );
    }
    quality.qaLoops = loops + 1;
    ctx.ledger.emit({
      type: "task_loop",
      taskId: runtime.id,
      kind: "qa",
      loop: loops + 1,
      of: limit,
      why: review.findings.join("; ") || "qa: needs work",
    });
    outcome = await phase("exec", {
      prompt: { ...feedback, findings: review.findings },
      continueSession: true,
    });
    if (outcome.kind !== "ok") return outcome;
  }
}

function qaFailed(detail: string, findings: readonly string[]): AgentOutcome {
  const listed = findings.length > 0 ? `: ${findings.join("; ")}` : "";
  return {
    kind: "failed",
    failure: { reason: "qa", detail: `${detail}${listed}`, retryable: false },
  };
}

type RunPhase = (
  name: PromptPhase,
  extra?: Omit<PhaseRun, "phase" | "run">,
) => Promise<AgentOutcome>;

/** The plan, from the run folder when a spec already finished (a resumed run), else a new spec. */
async function spec(
  ctx: AttemptContext,
  runtime: TaskRuntime,
  lane: string,
  phase: RunPhase,
): Promise<{ kind: "ok"; plan: string } | { kind: "failed"; outcome: AgentOutcome }> {
  const quality = qualityOf(runtime);
  if (quality.planFile) {
    const kept = await readFile(quality.planFile, "utf8").catch(() => undefined);
    if (kept !== undefined) return { kind: "ok", plan: kept };
  }
  const file = planPath(ctx.ledger.dir, runtime.id);
  await mkdir(path.dirname(file), { recursive: true });
  await rm(file, { force: true });
  const before = await headCommit(ctx.prepared.git, lane);
  const outcome = await phase("spec", { env: { LANES_PLAN_FILE: file } });
  if (outcome.kind !== "ok") return { kind: "failed", outcome };
  const changed = await changedFiles(ctx, lane, before);
  if (changed.length > 0) {
    return specFailed(
      `the spec phase changed files (${changed.slice(0, 5).join(", ")}); a spec writes a plan only`,
    );
  }
  const written = await readFile(file, "utf8").catch(() => undefined);
  const plan = (written ?? outcome.finalMessage ?? "").trim();
  if (plan === "") {
    return specFailed(
      "the spec phase wrote no plan (neither $LANES_PLAN_FILE nor a final message)",
    );
  }
  await writeFile(file, `${plan}\n`);
  quality.planFile = file;
  ctx.ledger.save();
  return { kind: "ok", plan };
}

function specFailed(detail: string): { kind: "failed"; outcome: AgentOutcome } {
  return {
    kind: "failed",
    outcome: { kind: "failed", failure: { reason: "exit", detail, retryable: false } },
  };
}

/** Files a phase that must change nothing changed: new commits, or anything left in the tree. */
async function changedFiles(ctx: AttemptContext, lane: string, before: string): Promise<string[]> {
  const git = ctx.prepared.git;
  const committed =
    (await headCommit(git, lane)) === before
      ? []
      : (await git.run(["diff", "--name-only", before, "HEAD"], { cwd: lane })).stdout
          .split("\n")
          .filter(Boolean);
  return [...new Set([...committed, ...(await dirtyFiles(git, lane))])];
}

type Review =
  | {
      kind: "verdict";
      verdict: "ready" | "needs_work" | "blocked" | "none";
      findings: string[];
      detail: string;
    }
  | { kind: "outcome"; outcome: AgentOutcome };

/** One review: qa gets the lane's diff and must give a verdict, as a file or a last line. */
async function qa(
  ctx: AttemptContext,
  runtime: TaskRuntime,
  attempt: number,
  lane: string,
  plan: string | undefined,
  phase: RunPhase,
): Promise<Review> {
  const diff = await laneDiff(ctx, runtime, lane);
  // The number this qa run gets (nextRun): its verdict file goes with its log, qa.<n>.log.
  const run = Math.max(attempt, (qualityOf(runtime).runs?.qa ?? 0) + 1);
  const file = verdictPath(ctx.ledger.dir, runtime.id, run);
  await mkdir(path.dirname(file), { recursive: true });
  await rm(file, { force: true });
  const before = await headCommit(ctx.prepared.git, lane);
  const outcome = await phase("qa", {
    prompt: { diff, ...(plan !== undefined ? { plan } : {}) },
    env: { LANES_VERDICT_FILE: file },
  });
  if (outcome.kind !== "ok") return { kind: "outcome", outcome };
  const changed = await changedFiles(ctx, lane, before);
  if (changed.length > 0) {
    return {
      kind: "verdict",
      verdict: "none",
      findings: [],
      detail: `the qa phase changed files (${changed.slice(0, 5).join(", ")}); a review changes nothing`,
    };
  }
  const verdict = await readVerdict({ file, finalMessage: outcome.finalMessage });
  if (verdict.kind !== "verdict") {
    return { kind: "verdict", verdict: "none", findings: [], detail: verdict.message };
  }
  return {
    kind: "verdict",
    verdict: verdict.verdict,
    findings: verdict.findings,
    detail: verdict.verdict === "blocked" ? "qa blocked the task" : `qa: ${verdict.verdict}`,
  };
}

/**
 * What the lane changed since it started. The work is committed first, as landing would commit
 * it, so that the review sees new files too and anything the review itself changes stands out.
 */
async function laneDiff(ctx: AttemptContext, runtime: TaskRuntime, lane: string): Promise<string> {
  const { git, runId } = ctx.prepared;
  const { task, id } = runtime;
  await commitAll(git, lane, `${task.title}\n\nlanes task ${id} (run ${runId})`);
  const start = runtime.record.startCommit ?? "HEAD";
  const { stdout } = await git.run(["diff", "--no-color", start, "HEAD"], { cwd: lane });
  return stdout.length > MAX_DIFF_CHARS
    ? `${stdout.slice(0, MAX_DIFF_CHARS)}\n… (the diff is cut at ${MAX_DIFF_CHARS} characters)`
    : stdout;
}

/** The failing tests a failed verify left for this attempt's exec prompt (verify-loop.ts). */
async function readVerifyOutput(runtime: TaskRuntime): Promise<string | undefined> {
  const file = qualityOf(runtime).verifyOutputFile;
  if (!file) return undefined;
  return readFile(file, "utf8").catch(() => undefined);
}
