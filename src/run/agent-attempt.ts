/**
 * One agent attempt of a task: its prompt, the agent process in its own group (recorded in
 * run.json while it lives), what its output stream says, and the verdict. A remote executor
 * would replace this module: it returns an outcome and never touches the scheduler.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { stopsAgent } from "../agents/classify.js";
import type { AgentSignal } from "../agents/parsers/types.js";
import { runAgentProcess } from "../agents/process.js";
import { buildPrompt } from "../agents/prompt.js";
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
  | { kind: "ok" }
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

/** Runs the agent in the lane; the task's controller (`runtime.controller`) ends it. */
export async function runAgentAttempt(
  ctx: AttemptContext,
  runtime: TaskRuntime,
  attempt: number,
  lane: string,
  signal: AbortSignal,
): Promise<AgentOutcome> {
  const { prepared, ledger } = ctx;
  const { id, record } = runtime;
  const logPath = logPathOf(ledger.dir, id, EXEC_PHASE, attempt);
  const prompt = buildPrompt(
    {
      task: runtime.task,
      verify: verifyText(prepared.settings.verify),
      ...(runtime.lastFailure !== undefined ? { previousFailure: runtime.lastFailure } : {}),
    },
    prepared.promptTemplate,
  );
  const promptFile = promptPath(ledger.dir, id, EXEC_PHASE, attempt);
  await mkdir(path.dirname(promptFile), { recursive: true });
  await writeFile(promptFile, prompt);
  Object.assign(record, {
    status: "running",
    attempts: attempt,
    logPath,
    startedAt: record.startedAt ?? Date.now(),
  });
  const agent = prepared.agents.get(id)!;
  const signals: AgentSignal[] = [];
  const attemptStart = Date.now();
  // A retry continues the agent's own session where the CLI allows it.
  const argv =
    attempt > 1 && record.sessionId && agent.resumeArgv
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
      LANES_PHASE: EXEC_PHASE,
      LANES_ATTEMPT: String(attempt),
      LANES_PROMPT_FILE: promptFile,
      LANES_WORKTREE: lane,
      LANES_BRANCH: record.branch,
      // The lane's ports (LANES_PORT, PORT), from lane-life.ts.
      ...runtime.laneEnv,
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
        phase: EXEC_PHASE,
        attempt,
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
              signals.push(parsed);
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
  return isSuccess(result)
    ? { kind: "ok" }
    : {
        kind: "failed",
        failure: onFullDisk(classifyAttempt(result, signals), [lane, prepared.worktreeRoot]),
      };
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
