/**
 * One agent attempt of a task: its prompt, the agent process in its own group (recorded in
 * run.json while it lives), what its output stream says, and the verdict. A remote executor
 * would replace this module: it returns an outcome and never touches the scheduler.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { stopsAgent } from "../agents/classify.js";
import type { AgentSignal } from "../agents/parsers/types.js";
import { type ResolvedAgent, resolveAgent } from "../agents/presets.js";
import { runAgentProcess } from "../agents/process.js";
import { buildPrompt, type PromptContext, type PromptPhase } from "../agents/prompt.js";
import { logPath as logPathOf, promptPath } from "../state/layout.js";
import { type AttemptFailure, classifyAttempt, isSuccess } from "./attempt.js";
import { onFullDisk } from "./failure-of-error.js";
import type { Ledger } from "./ledger.js";
import type { LiveGroups } from "./live-groups.js";
import type { RunOptions } from "./options.js";
import type { PreparedRun } from "./prepare.js";
import type { RunLeftovers } from "./run-leftovers.js";
import type { TaskRuntime } from "./task-runtime.js";
import { verifyText } from "./verify.js";

export const EXEC_PHASE = "exec";

export type AgentOutcome =
  /** `finalMessage`: the agent's last words (Claude's result, else its last lines of stdout). */
  | { kind: "ok"; finalMessage?: string }
  | { kind: "failed"; failure: AttemptFailure }
  /** Ended because the run stops: the task goes back to pending, no attempt is spent. */
  | { kind: "cancelled" };

/** What the attempt tells the run as it goes (usage counts against the budget; 429s throttle). */
export interface AttemptHooks {
  onUsage: () => void;
  onRateLimited: () => void;
  stopping: () => boolean;
}

export interface AttemptContext {
  prepared: PreparedRun;
  options: RunOptions;
  ledger: Ledger;
  groups: LiveGroups;
  leftovers: RunLeftovers;
  hooks: AttemptHooks;
}

/**
 * One agent phase of a task (quality/phases): which phase, its run number (logs, prompt file and
 * LANES_ATTEMPT), what its prompt carries, its own env, whether it continues the exec session.
 */
export interface PhaseRun {
  phase: PromptPhase;
  run: number;
  prompt?: Partial<PromptContext>;
  env?: Record<string, string>;
  template?: string | undefined;
  /** Continue the agent's earlier session, where the preset can. */
  continueSession?: boolean;
  /** A model for this phase (settings `models`), through the preset's model flag. */
  model?: string | undefined;
}

/** Runs the agent in the lane; the task's controller (`runtime.controller`) ends it. */
export async function runAgentAttempt(
  ctx: AttemptContext,
  runtime: TaskRuntime,
  attempt: number,
  lane: string,
  signal: AbortSignal,
  phaseRun: PhaseRun = { phase: EXEC_PHASE, run: attempt },
): Promise<AgentOutcome> {
  const { prepared, ledger } = ctx;
  const { id, record } = runtime;
  const { phase, run } = phaseRun;
  const logPath = logPathOf(ledger.dir, id, phase, run);
  const prompt = buildPrompt(
    {
      task: runtime.task,
      verify: verifyText(prepared.settings.verify),
      ...(runtime.lastFailure !== undefined ? { previousFailure: runtime.lastFailure } : {}),
      ...phaseRun.prompt,
      phase,
    },
    phaseRun.template ?? (phase === EXEC_PHASE ? prepared.promptTemplate : undefined),
  );
  const promptFile = promptPath(ledger.dir, id, phase, run);
  await mkdir(path.dirname(promptFile), { recursive: true });
  await writeFile(promptFile, prompt);
  Object.assign(record, {
    status: "running",
    attempts: attempt,
    logPath,
    startedAt: record.startedAt ?? Date.now(),
  });
  const agent = agentFor(ctx, runtime, lane, phaseRun.model);
  const signals: AgentSignal[] = [];
  const attemptStart = Date.now();
  let finalMessage: string | undefined;
  // A retry, or exec sent back by qa, continues the agent's own session where the CLI allows it.
  const argv =
    (phaseRun.continueSession ?? attempt > 1) && record.sessionId && agent.resumeArgv
      ? agent.resumeArgv(record.sessionId)
      : agent.argv;
  const streamOutput = ctx.options.streamOutput;
  const leftovers = ctx.leftovers.attempt(id, "agent", attempt);
  const result = await runAgentProcess({
    argv,
    cwd: lane,
    env: {
      ...agent.env,
      LANES_RUN_ID: prepared.runId,
      LANES_TASK_ID: id,
      LANES_PHASE: phase,
      LANES_ATTEMPT: String(run),
      LANES_PROMPT_FILE: promptFile,
      LANES_WORKTREE: lane,
      LANES_BRANCH: record.branch,
      // The lane's ports (LANES_PORT, PORT), from lane-life.ts.
      ...runtime.laneEnv,
      ...phaseRun.env,
    },
    prompt,
    logPath,
    timeoutMs: prepared.timeoutMs,
    graceMs: prepared.graceMs,
    signal,
    onSpawn: (pid) => {
      leftovers.adopt(pid);
      ctx.groups.add(pid);
      record.agent = { pgid: pid, startedAt: attemptStart };
      ledger.emit({
        type: "task_started",
        taskId: id,
        phase,
        attempt: run,
        pgid: pid,
        logPath,
      });
      ledger.save();
    },
    afterGroupEnded: leftovers.end,
    // Lines are split only for someone who reads them: a custom agent's output, unwatched,
    // goes to its log without costing a string per line.
    ...(streamOutput || agent.parser
      ? {
          onLine: (line: string) => {
            if (streamOutput) ledger.emit({ type: "task_output", taskId: id, line });
            for (const parsed of agent.parser?.parseLine(line) ?? []) {
              if (parsed.kind === "final") {
                finalMessage = parsed.text;
                continue;
              }
              signals.push(parsed);
              // Only exec's session is continued: a qa's or a spec's is not the work's.
              if (parsed.kind === "session" && phase !== EXEC_PHASE) continue;
              readSignal(ctx, runtime, parsed);
            }
          },
        }
      : {}),
  });
  ctx.groups.delete(result.pid);
  record.agent = undefined;
  ledger.emit({
    type: "agent_exited",
    taskId: id,
    attempt,
    durationMs: result.durationMs,
    ok: isSuccess(result),
  });
  if (result.aborted && ctx.hooks.stopping()) return { kind: "cancelled" };
  if (!isSuccess(result)) {
    return {
      kind: "failed",
      failure: onFullDisk(classifyAttempt(result, signals), [lane, prepared.worktreeRoot]),
    };
  }
  // A custom command's final message is its last lines of stdout.
  finalMessage ??= agent.parser ? undefined : result.tail.join("\n");
  return finalMessage === undefined ? { kind: "ok" } : { kind: "ok", finalMessage };
}

/** The task's agent, or the same with the phase's own model when a preset takes one. */
function agentFor(
  ctx: AttemptContext,
  runtime: TaskRuntime,
  lane: string,
  model: string | undefined,
): ResolvedAgent {
  const agent = ctx.prepared.agents.get(runtime.id)!;
  if (model === undefined || agent.name === "command") return agent;
  const setting = runtime.task.agent ?? ctx.prepared.settings.agent;
  return resolveAgent(setting, { model, repoRoot: ctx.prepared.repoRoot, cwd: lane });
}

/** Reads what the agent's stream says: activity, usage, and errors that make waiting pointless. */
function readSignal(ctx: AttemptContext, runtime: TaskRuntime, signal: AgentSignal): void {
  const { ledger } = ctx;
  const { id, record } = runtime;
  switch (signal.kind) {
    case "activity":
      ledger.emit({ type: "task_activity", taskId: id, activity: signal.text });
      break;
    case "usage":
      record.tokens = {
        input: (record.tokens?.input ?? 0) + signal.tokens.input,
        output: (record.tokens?.output ?? 0) + signal.tokens.output,
      };
      if (signal.cost !== undefined) record.cost = (record.cost ?? 0) + signal.cost;
      ledger.emit({ type: "task_usage", taskId: id, tokens: record.tokens, cost: record.cost });
      ctx.hooks.onUsage();
      break;
    case "session":
      record.sessionId = signal.id;
      break;
    case "error":
      // Claude Code retries a 401 by itself for minutes: end it at once instead.
      if (stopsAgent(signal)) runtime.abort();
      if (signal.status === 429) ctx.hooks.onRateLimited();
      break;
  }
}
