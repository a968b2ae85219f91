/**
 * The presets, driven through the real Claude Code, Codex and Gemini CLIs (dev dependencies)
 * against local stand-ins of their model APIs: argv, env, prompt on stdin and the stream parsers
 * are exactly what lanes uses. test/standins/ holds the stand-ins of their APIs; the README says what each CLI needs offline.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { classifyFailure, stopsAgent } from "../../src/agents/classify.js";
import type { AgentSignal } from "../../src/agents/parsers/types.js";
import {
  checkAgentPreflight,
  findExecutable,
  type ResolvedAgent,
  resolveAgent,
} from "../../src/agents/presets.js";
import type { AgentSetting } from "../../src/config/schema.js";
import { initRepoSync } from "../helpers/git-repo.js";
import { startAnthropicStandin } from "../standins/anthropic.js";
import type { Standin, StandinScript } from "../standins/common.js";
import { startGeminiStandin } from "../standins/gemini.js";
import { codexProviderArgs, startOpenAIStandin } from "../standins/openai.js";

const BIN = resolve("node_modules/.bin");
const IS_ROOT = process.getuid?.() === 0;
const PROMPT = "Write standin.txt in the current folder, then say you are done.";
const TIMEOUT = 60_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const scratch = mkdtempSync(join(tmpdir(), "lanes-real-clis-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tempDir(name: string): string {
  return mkdtempSync(join(scratch, `${name}-`));
}

interface Cli {
  name: "claude" | "codex" | "gemini";
  start(script: Partial<StandinScript>): Promise<Standin>;
  setting(standin: Standin): AgentSetting;
  /** What the CLI needs besides the preset: the stand-in's address, a key, a home of its own. */
  env(standin: Standin, home: string): Record<string, string>;
}

const CLIS: Cli[] = [
  {
    name: "claude",
    start: (script) => startAnthropicStandin({ script }),
    setting: () => "claude",
    env: (standin) => ({
      ANTHROPIC_BASE_URL: standin.url,
      ANTHROPIC_API_KEY: "test-key",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    }),
  },
  {
    name: "codex",
    start: (script) => startOpenAIStandin({ script }),
    // A custom provider through the preset's extra args: OPENAI_BASE_URL alone is not honoured.
    setting: (standin) => ({
      preset: "codex",
      model: "gpt-5",
      args: codexProviderArgs(standin.url),
    }),
    env: (_standin, home) => ({ OPENAI_API_KEY: "test-key", CODEX_HOME: home }),
  },
  {
    name: "gemini",
    start: (script) => startGeminiStandin({ script }),
    setting: () => "gemini",
    env: (standin, home) => {
      // Only the auth type: folder trust stays on, as for a real user; the preset handles it.
      mkdirSync(join(home, ".gemini"), { recursive: true });
      writeFileSync(
        join(home, ".gemini", "settings.json"),
        JSON.stringify({ security: { auth: { selectedType: "gemini-api-key" } } }),
      );
      return { GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: "test-key" };
    },
  },
];

interface Run {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  signals: AgentSignal[];
  stdout: string[];
  stderr: string;
  /** Milliseconds from spawn to the first signal that stops the agent, when there was one. */
  stoppedAfterMs: number | undefined;
}

/**
 * Spawns the agent the way lanes does: argv without a shell, its own process group, prompt on
 * stdin, stdout read line by line through the preset's parser. On a signal that `stopsAgent`,
 * the whole group is ended at once, as the orchestrator does.
 */
function runAgent(
  agent: ResolvedAgent,
  options: { cwd: string; env: Record<string, string>; argv?: string[] },
): Promise<Run> {
  const [program, ...args] = options.argv ?? agent.argv;
  const executable = findExecutable(program ?? "", options.env.PATH);
  if (executable === undefined) throw new Error(`${program} not found on the test PATH`);
  const started = Date.now();
  const child = spawn(executable, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  cleanups.push(() => killGroup(child, "SIGKILL"));
  child.stdin.end(PROMPT);
  const run: Run = {
    exitCode: null,
    signal: null,
    signals: [],
    stdout: [],
    stderr: "",
    stoppedAfterMs: undefined,
  };
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    if (run.stderr.length < 200_000) run.stderr += chunk;
  });
  createInterface({ input: child.stdout }).on("line", (line) => {
    run.stdout.push(line);
    for (const signal of agent.parser?.parseLine(line) ?? []) {
      run.signals.push(signal);
      if (stopsAgent(signal) && run.stoppedAfterMs === undefined) {
        run.stoppedAfterMs = Date.now() - started;
        killGroup(child, "SIGTERM");
      }
    }
  });
  return new Promise((resolvePromise, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      run.exitCode = code;
      run.signal = signal;
      resolvePromise(run);
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/** A small, explicit environment: nothing of the developer's own keys or CLI settings leaks in. */
function baseEnv(home: string, extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    PATH: [BIN, process.env.PATH ?? ""].join(delimiter),
    HOME: home,
    // Gemini CLI writes error reports to the temp folder: keep them in the test's scratch space.
    TMPDIR: tempDir("tmp"),
    LANG: "C.UTF-8",
    ...extra,
  };
  // Claude Code refuses bypassPermissions as root unless told it runs in a sandbox (it does here).
  if (IS_ROOT) env.IS_SANDBOX = "1";
  return env;
}

async function setup(cli: Cli, script: Partial<StandinScript> = {}) {
  const standin = await cli.start(script);
  cleanups.push(() => standin.close());
  const cwd = initRepoSync(tempDir("repo"));
  const home = tempDir(`${cli.name}-home`);
  const agent = resolveAgent(cli.setting(standin), { cwd });
  const env = baseEnv(home, { ...agent.env, ...cli.env(standin, home) });
  return { standin, cwd, home, agent, env };
}

function kinds(signals: AgentSignal[], kind: AgentSignal["kind"]): AgentSignal[] {
  return signals.filter((signal) => signal.kind === kind);
}

describe.each(CLIS)("$name preset, real CLI against a stand-in", (cli) => {
  it(
    "edits the worktree and reports session, activity and tokens",
    async () => {
      const { standin, cwd, agent, env } = await setup(cli);
      expect(checkAgentPreflight(agent, { isRoot: IS_ROOT, env })).toBeUndefined();

      const run = await runAgent(agent, { cwd, env });
      const context = `stderr: ${run.stderr.slice(-2000)}\nstdout: ${run.stdout.join("\n").slice(-2000)}`;
      expect(run.exitCode, context).toBe(0);
      expect(readFileSync(join(cwd, "standin.txt"), "utf8")).toBe("written by the stand-in\n");
      expect(standin.counts).toMatchObject({ toolCalls: 1, texts: 1, errors: 0 });

      const session = kinds(run.signals, "session")[0];
      expect(session).toMatchObject({ kind: "session", id: expect.stringMatching(/\S{8,}/) });
      expect(kinds(run.signals, "activity")).toContainEqual({
        kind: "activity",
        text: "Bash: printf 'written by the stand-in\\n' > standin.txt",
      });
      const usage = kinds(run.signals, "usage").at(-1);
      // Two model calls of 1200 input and 80 output tokens each (the stand-in's default script).
      expect(usage).toMatchObject({ kind: "usage", tokens: { input: 2400, output: 160 } });
    },
    TIMEOUT,
  );

  it(
    "continues its session on a retry with resumeArgv, counting only the new tokens",
    async () => {
      const { standin, cwd, agent, env } = await setup(cli);
      const first = await runAgent(agent, { cwd, env });
      expect(first.exitCode, first.stderr.slice(-2000)).toBe(0);
      const session = kinds(first.signals, "session")[0];
      if (session?.kind !== "session") throw new Error("no session id");
      rmSync(join(cwd, "standin.txt"));

      // Like the orchestrator: the task's resolved agent (and its parser) serves every attempt.
      const argv = agent.resumeArgv?.(session.id);
      expect(argv).toBeDefined();
      const second = await runAgent(agent, { cwd, env, argv });
      expect(second.exitCode, second.stderr.slice(-2000)).toBe(0);
      // The resumed conversation already holds the tool result, so the model only answers.
      expect(standin.counts).toMatchObject({ toolCalls: 1, texts: 2 });
      expect(existsSync(join(cwd, "standin.txt"))).toBe(false);
      expect(kinds(second.signals, "session")[0]).toEqual(session);
      // One model call; Codex reports the thread's total (3 calls), the parser the difference.
      expect(kinds(second.signals, "usage")).toEqual([
        {
          kind: "usage",
          tokens: { input: 1200, output: 80 },
          ...(cli.name === "claude" ? { cost: expect.any(Number) } : {}),
        },
      ]);
    },
    TIMEOUT,
  );

  it(
    "reports a 401 as an auth error within seconds, so the agent can be ended at once",
    async () => {
      const { standin, cwd, agent, env } = await setup(cli, { status: 401 });
      const run = await runAgent(agent, { cwd, env });
      const auth = run.signals.find(stopsAgent);
      expect(auth, run.stderr.slice(-2000)).toMatchObject({ kind: "error", status: 401 });
      // Claude Code alone would retry for minutes (17 s, 36 s, ... between attempts).
      expect(run.stoppedAfterMs).toBeLessThan(30_000);
      expect(run.exitCode).not.toBe(0);
      if (cli.name === "claude") {
        // Ended by us, not by itself: Claude Code traps SIGTERM and exits 143.
        expect(run.signal === "SIGTERM" || run.exitCode === 143).toBe(true);
      }
      expect(standin.counts.toolCalls).toBe(0);
      const failure = classifyFailure({
        exitCode: run.exitCode,
        signal: run.signal,
        timedOut: false,
        tail: run.stderr.split("\n").slice(-50),
        signals: run.signals,
      });
      expect(failure).toMatchObject({ reason: "auth", retryable: false });
    },
    TIMEOUT,
  );
});

describe("claude preset under API trouble", () => {
  const claude = CLIS[0] as Cli;

  it(
    "reports the 429s Claude Code retries by itself, then succeeds",
    async () => {
      const { standin, cwd, agent, env } = await setup(claude, {
        rateLimitFirst: 2,
        retryAfterSeconds: 1,
      });
      const run = await runAgent(agent, { cwd, env });
      expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
      expect(standin.counts).toMatchObject({ errors: 2, toolCalls: 1, texts: 1 });
      const limits = kinds(run.signals, "error");
      expect(limits).toHaveLength(2);
      expect(limits.every((signal) => signal.kind === "error" && signal.status === 429)).toBe(true);
      expect(limits.some(stopsAgent)).toBe(false);
    },
    TIMEOUT,
  );

  it(
    "hangs on a hung API until ended, and the stand-in still closes at once",
    async () => {
      const { standin, cwd, agent, env } = await setup(claude, { hang: true });
      const running = runAgent(agent, { cwd, env });
      const deadline = Date.now() + 30_000;
      while (standin.requests.every((r) => !r.url.startsWith("/v1/messages"))) {
        if (Date.now() > deadline) throw new Error("Claude Code never called the stand-in");
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 500));
      // Nothing came back, so the agent is still waiting: lanes' timeout would end it here.
      await cleanups.pop()?.(); // runAgent's own cleanup: SIGKILL to the agent's process group
      const run = await running;
      expect(run.signal).toBe("SIGKILL");
      const started = Date.now();
      await standin.close();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(
        classifyFailure({
          exitCode: null,
          signal: "SIGKILL",
          timedOut: true,
          tail: [],
          signals: run.signals,
        }).reason,
      ).toBe("timeout");
    },
    TIMEOUT,
  );
});
