/**
 * Failure reasons, rate limits and budgets end to end: the built `lanes run --json` drives the
 * real Claude Code CLI (a dev dependency) against a local stand-in of the Anthropic API that
 * answers 401, 429 or nothing at all. The stand-ins of their APIs are in test/standins/.
 */
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isProcessGroupAlive } from "../../src/agents/process.js";
import type { LanesEvent } from "../../src/index.js";
import { PROJECT_ROOT, runCli } from "../helpers/cli.js";
import { git, type RunRepo, readRun, runRepo, type TaskSpec } from "../run/helpers.js";
import { startAnthropicStandin } from "../standins/anthropic.js";
import type { Standin, StandinScript } from "../standins/common.js";

const BIN = path.join(PROJECT_ROOT, "node_modules", ".bin");
const IS_ROOT = process.getuid?.() === 0;
const TIMEOUT = 120_000;
const COMMAND = `printf 'written by the stand-in for %s\\n' "$LANES_TASK_ID" > "out-$LANES_TASK_ID.txt"`;

const standins: Standin[] = [];
afterEach(async () => {
  for (const standin of standins.splice(0)) await standin.close();
});

interface Setup {
  repo: RunRepo;
  standin: Standin;
  env: Record<string, string | undefined>;
}

/**
 * A stand-in with `script`, and a repository whose tasks run the real Claude Code against it.
 * runRepo commits placeholder settings; the stand-in's address is known only now.
 */
async function setup(
  tasks: Record<string, TaskSpec>,
  script: Partial<StandinScript>,
  settings: Record<string, unknown> = {},
): Promise<Setup> {
  const standin = await startAnthropicStandin({ script: { command: COMMAND, ...script } });
  standins.push(standin);
  const repo = await runRepo({ tasks });
  const agent = {
    preset: "claude",
    env: {
      ANTHROPIC_BASE_URL: standin.url,
      ANTHROPIC_API_KEY: "test-key",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      ...(IS_ROOT ? { IS_SANDBOX: "1" } : {}),
    },
  };
  await writeFile(
    path.join(repo.root, ".lanes", "settings.json"),
    `${JSON.stringify({ agent, ...settings }, null, 2)}\n`,
  );
  await git(repo, ["add", "-A"]);
  await git(repo, ["commit", "--quiet", "--amend", "--no-edit"]);
  const home = path.join(repo.dir, "home");
  mkdirSync(home, { recursive: true });
  const env = {
    PATH: [BIN, process.env.PATH ?? ""].join(path.delimiter),
    HOME: home,
    CLAUDECODE: undefined,
    CLAUDE_CODE_ENTRYPOINT: undefined,
  };
  return { repo, standin, env };
}

async function lanesRun(setup: Setup, flags: string[]) {
  const started = Date.now();
  const result = await runCli(["run", "--json", ...flags], {
    cwd: setup.repo.root,
    env: setup.env,
    timeoutMs: TIMEOUT - 15_000,
  });
  const elapsedMs = Date.now() - started;
  const { state, events, id } = await readRun(setup.repo.root).catch((error: Error) => {
    throw new Error(`${error.message}; lanes exited ${result.exitCode}:\n${result.stderr}`);
  });
  const context = `exit ${result.exitCode} after ${elapsedMs} ms\nstderr:\n${result.stderr.slice(-4000)}`;
  return { ...result, elapsedMs, state, events, runId: id, context };
}

function ofType<T extends LanesEvent["type"]>(
  events: LanesEvent[],
  type: T,
): Extract<LanesEvent, { type: T }>[] {
  return events.filter((event): event is Extract<LanesEvent, { type: T }> => event.type === type);
}

/** Live processes whose environment carries this run's id: lanes gives it to every agent. */
function processesOfRun(runId: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      if (/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2))) continue; // a zombie is gone
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1").split("\0");
      if (environ.includes(`LANES_RUN_ID=${runId}`)) pids.push(Number(entry));
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return pids;
}

describe("lanes run with Claude Code when the API fails", () => {
  it(
    "ends a 401 at once as `auth`, without retrying, instead of after Claude Code's minutes of retries",
    async () => {
      const s = await setup({ a: {}, b: { deps: ["a"] } }, { status: 401 });
      // --retries: an auth failure is not worth another attempt.
      const run = await lanesRun(s, ["--retries", "2"]);
      expect(run.exitCode, run.context).toBe(1);
      expect(run.elapsedMs, run.context).toBeLessThan(30_000);
      expect(run.state.tasks.a).toMatchObject({ status: "failed", reason: "auth", attempts: 1 });
      expect(run.state.tasks.a?.detail).toMatch(/401/);
      expect(run.state.tasks.b).toMatchObject({ status: "skipped" });
      expect(s.standin.counts.toolCalls).toBe(0);
      expect(ofType(run.events, "attempt_failed")).toEqual([
        expect.objectContaining({ taskId: "a", attempt: 1, reason: "auth" }),
      ]);
      expect(ofType(run.events, "attempt_failed")[0]).not.toHaveProperty("retryInMs");
      expect(run.stderr).toMatch(/✗ a: .*auth/);
      expect(processesOfRun(run.runId)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "lowers the concurrency on 429s, raises it again after successes, and finishes every task",
    async () => {
      // The first 12 model requests get a 429 (retry-after: 1 s). Claude Code retries them by
      // itself, with growing delays, and says so in its stream (`system/api_retry`, status 429):
      // lanes halves its concurrency at the first one (3 -> 1). The three agents are running
      // already, so they go on; at 4 of the 429s each, they succeed some 8-10 s later, past the
      // throttle's 5 s cool-down, and each success raises the limit by one (1 -> 2 -> 3).
      // --retries 2 only guards against an agent that gets so many 429s that it gives up (a
      // `rate_limit` failure, which lanes would retry); here Claude Code absorbs all of them.
      const s = await setup({ a: {}, b: {}, c: {} }, { rateLimitFirst: 12, retryAfterSeconds: 1 });
      const run = await lanesRun(s, ["--concurrency", "3", "--retries", "2"]);
      expect(run.exitCode, run.context).toBe(0);
      for (const id of ["a", "b", "c"]) {
        expect(run.state.tasks[id]).toMatchObject({ status: "done" });
        expect(await git(s.repo, ["show", `${run.state.integrationBranch}:out-${id}.txt`])).toBe(
          `written by the stand-in for ${id}`,
        );
      }
      expect(s.standin.counts).toMatchObject({ errors: 12, toolCalls: 3 });

      const changes = ofType(run.events, "concurrency_changed");
      const summary = JSON.stringify(changes);
      const lowered = changes.findIndex((change) => change.to < 3);
      expect(lowered, summary).toBeGreaterThanOrEqual(0);
      expect(changes[lowered]).toMatchObject({ from: 3, to: 1, why: "rate limited" });
      // Then step by step back up to the configured limit, each step after an agent succeeded
      // (usually 1 -> 2 -> 3; a late 429 past the cool-down may cut it once more in between).
      const raises = changes.slice(lowered + 1).filter((change) => change.to > change.from);
      expect(raises.length, summary).toBeGreaterThanOrEqual(2);
      for (const raise of raises) {
        expect(raise).toMatchObject({ to: raise.from + 1, why: "agents succeed again" });
      }
      expect(changes.at(-1), summary).toMatchObject({ to: 3 });
      expect(raises[0]!.time - changes[lowered]!.time).toBeGreaterThanOrEqual(5_000);
      const exits = ofType(run.events, "agent_exited").filter((e) => e.ok);
      for (const raise of raises) {
        expect(exits.some((exit) => exit.time <= raise.time)).toBe(true);
      }
    },
    TIMEOUT,
  );

  it(
    "ends a hung agent at --timeout as `timeout` and leaves no agent process behind",
    async () => {
      const s = await setup({ a: {} }, { hang: true }, { gracePeriod: "2s" });
      const run = await lanesRun(s, ["--timeout", "5s"]);
      expect(run.exitCode, run.context).toBe(1);
      expect(run.state.tasks.a).toMatchObject({ status: "failed", reason: "timeout" });
      expect(run.elapsedMs, run.context).toBeLessThan(30_000);
      // The agent reached the stand-in and waited there until lanes ended it.
      expect(s.standin.requests.some((r) => r.url.startsWith("/v1/messages"))).toBe(true);
      const started = ofType(run.events, "task_started");
      expect(started).toHaveLength(1);
      expect(isProcessGroupAlive(started[0]!.pgid!)).toBe(false);
      expect(processesOfRun(run.runId)).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "continues the agent's session on a retry, with the failure added to the prompt",
    async () => {
      // verify fails once: the attempt fails as `verify` (retryable), and the retry resumes it.
      const s = await setup({ a: {} }, {});
      const marker = path.join(s.repo.dir, "verify-failed-once");
      const verify = [
        "sh",
        "-c",
        `if [ -e "$0" ]; then exit 0; fi; touch "$0"; echo 'tests failed: 1 of 3'; exit 1`,
        marker,
      ];
      const file = path.join(s.repo.root, ".lanes", "settings.json");
      const settings = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      await writeFile(file, `${JSON.stringify({ ...settings, verify }, null, 2)}\n`);
      await git(s.repo, ["commit", "--quiet", "--all", "--amend", "--no-edit"]);

      const run = await lanesRun(s, ["--retries", "1"]);
      expect(run.exitCode, run.context).toBe(0);
      expect(run.state.tasks.a).toMatchObject({ status: "done", attempts: 2 });
      expect(ofType(run.events, "attempt_failed")).toEqual([
        expect.objectContaining({ taskId: "a", attempt: 1, reason: "verify" }),
      ]);
      // Attempt 2 ran `claude ... --resume <session>`: its request carries attempt 1's
      // conversation (the tool call and its result) and then the retry prompt, so the model
      // answered without a second tool call.
      expect(s.standin.counts.toolCalls).toBe(1);
      const retried = s.standin.requests.filter((request) =>
        JSON.stringify(request.body ?? null).includes("The previous attempt failed"),
      );
      expect(retried.length).toBeGreaterThan(0);
      const conversation = JSON.stringify(retried[0]?.body);
      expect(conversation).toContain("tool_result");
      expect(conversation).toContain("verify: ");
      expect(conversation).toContain("tests failed: 1 of 3");
      // One session across both attempts: Claude Code names it in every API request.
      const sessions = s.standin.requests
        .filter((request) => request.url.startsWith("/v1/messages"))
        .map((request) => request.headers["x-claude-code-session-id"]);
      expect(sessions.length).toBeGreaterThanOrEqual(3);
      expect(new Set(sessions)).toEqual(new Set([run.state.tasks.a?.sessionId]));
    },
    TIMEOUT,
  );

  it(
    "starts no new task once --max-tokens is spent: a finishes, b and c do not start",
    async () => {
      const s = await setup({ a: {}, b: { deps: ["a"] }, c: { deps: ["b"] } }, {});
      const run = await lanesRun(s, ["--max-tokens", "1"]);
      expect(run.exitCode, run.context).toBe(1);
      expect(run.state.tasks.a).toMatchObject({ status: "done" });
      expect(run.state.tasks.a?.tokens?.input).toBeGreaterThan(0);
      expect(run.state.tasks.b).toMatchObject({ status: "pending", attempts: 0 });
      expect(run.state.tasks.c).toMatchObject({ status: "pending", attempts: 0 });
      expect(ofType(run.events, "task_started").map((e) => e.taskId)).toEqual(["a"]);
      expect(ofType(run.events, "run_stopping")).toEqual([
        expect.objectContaining({ why: expect.stringMatching(/token budget spent/) }),
      ]);
      expect(s.standin.counts.toolCalls).toBe(1);
      expect(run.stderr).toContain("Summary: 1 done, 2 not started");
      expect(run.stderr).toMatch(/b not started: token budget spent .*--max-tokens 1\b/);
      expect(run.stderr).toMatch(/c not started: token budget spent/);
      expect(run.stderr).toMatch(/^Tokens: [\d,]+ in \/ [\d,]+ out, cost \$/m);
    },
    TIMEOUT,
  );
});
