/**
 * The Claude Code, Codex and Gemini presets end to end: the built `lanes run --json` drives the
 * real CLIs (dev dependencies, from node_modules/.bin) against local stand-ins of their model
 * APIs, on a three-task DAG (c depends on a and b). Each stand-in answers with one shell tool call
 * that writes `out-$LANES_TASK_ID.txt` in the lane, then a final message; lanes commits the work,
 * merges it and records activity, tokens, cost and the agent's session.
 * test/standins/ holds the stand-ins of their APIs; the README says what each CLI needs offline.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LanesEvent } from "../../src/index.js";
import type { RunState } from "../../src/state/run-state.js";
import { PROJECT_ROOT, runCli } from "../helpers/cli.js";
import { git, indexOf, type RunRepo, readRun, runRepo } from "../run/helpers.js";
import { startAnthropicStandin } from "../standins/anthropic.js";
import type { Standin } from "../standins/common.js";
import { startGeminiStandin } from "../standins/gemini.js";
import { codexProviderArgs, startOpenAIStandin } from "../standins/openai.js";

const BIN = path.join(PROJECT_ROOT, "node_modules", ".bin");
const IS_ROOT = process.getuid?.() === 0;
/** Per test: three agents (two at once), each a few seconds; Gemini CLI is the slowest. */
const TIMEOUT = 120_000;

/** The stand-ins' one tool call: a file per task, named by the task id lanes gives the agent. */
const COMMAND = `printf 'written by the stand-in for %s\\n' "$LANES_TASK_ID" > "out-$LANES_TASK_ID.txt"`;
const DAG = { a: {}, b: {}, c: { deps: ["a", "b"] } };
const IDS = ["a", "b", "c"];

const standins: Standin[] = [];
afterEach(async () => {
  for (const standin of standins.splice(0)) await standin.close();
});

async function track(standin: Promise<Standin>): Promise<Standin> {
  const started = await standin;
  standins.push(started);
  return started;
}

/** What each CLI needs besides its preset: the stand-in's address, a key, a home of its own. */
function claudeSetting(standin: Standin, extra: Record<string, unknown> = {}) {
  return {
    preset: "claude",
    env: {
      ANTHROPIC_BASE_URL: standin.url,
      ANTHROPIC_API_KEY: "test-key",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      // Claude Code refuses bypassPermissions as root unless it runs in a sandbox (it does here).
      ...(IS_ROOT ? { IS_SANDBOX: "1" } : {}),
    },
    ...extra,
  };
}

function codexHome(repo: RunRepo): string {
  const dir = path.join(repo.dir, "codex-home");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The environment of the lanes process: the real CLIs first on PATH, a home of the test's own (no
 * developer settings or logins leak in; Gemini CLI reads its settings.json there), and nothing
 * that says "inside another Claude Code session".
 */
function lanesEnv(repo: RunRepo, extra: Record<string, string> = {}) {
  const home = path.join(repo.dir, "home");
  const tmp = path.join(repo.dir, "tmp"); // Gemini CLI writes error reports to the temp folder
  mkdirSync(home, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  return {
    PATH: [BIN, process.env.PATH ?? ""].join(path.delimiter),
    HOME: home,
    TMPDIR: tmp,
    CLAUDECODE: undefined,
    CLAUDE_CODE_ENTRYPOINT: undefined,
    ...extra,
  };
}

function writeGeminiSettings(home: string): void {
  // Only the auth type: folder trust stays on, as for a real user; the preset trusts the lane.
  mkdirSync(path.join(home, ".gemini"), { recursive: true });
  writeFileSync(
    path.join(home, ".gemini", "settings.json"),
    JSON.stringify({ security: { auth: { selectedType: "gemini-api-key" } } }),
  );
}

interface Case {
  name: "claude" | "codex" | "gemini";
  start(): Promise<Standin>;
  /** The `agent` setting, pointing the preset at the stand-in. */
  agent(standin: Standin, repo: RunRepo): Record<string, unknown>;
  /** Claude Code reports the cost of each run (`total_cost_usd`); the others report none. */
  reportsCost: boolean;
}

const CASES: Case[] = [
  {
    name: "claude",
    start: () => startAnthropicStandin({ script: { command: COMMAND } }),
    agent: (standin) => claudeSetting(standin),
    reportsCost: true,
  },
  {
    name: "codex",
    start: () => startOpenAIStandin({ script: { command: COMMAND } }),
    // A custom model provider through the preset's extra args: OPENAI_BASE_URL is not honoured.
    agent: (standin, repo) => ({
      preset: "codex",
      model: "gpt-5",
      args: codexProviderArgs(standin.url),
      env: { OPENAI_API_KEY: "test-key", CODEX_HOME: codexHome(repo) },
    }),
    reportsCost: false,
  },
  {
    name: "gemini",
    start: () => startGeminiStandin({ script: { command: COMMAND } }),
    agent: (standin) => ({
      preset: "gemini",
      env: { GOOGLE_GEMINI_BASE_URL: standin.url, GEMINI_API_KEY: "test-key" },
    }),
    reportsCost: false,
  },
];

function ndjson(stdout: string): LanesEvent[] {
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as LanesEvent);
}

function ofType<T extends LanesEvent["type"]>(
  events: LanesEvent[],
  type: T,
): Extract<LanesEvent, { type: T }>[] {
  return events.filter((event): event is Extract<LanesEvent, { type: T }> => event.type === type);
}

/** What every successful run must show, whichever agent did the work. */
async function expectWorkMerged(
  repo: RunRepo,
  result: { exitCode: number; stdout: string; stderr: string },
  options: { costFor: string[] },
): Promise<{ state: RunState; events: LanesEvent[] }> {
  const context = `exit ${result.exitCode}\nstderr:\n${result.stderr.slice(-4000)}`;
  expect(result.exitCode, context).toBe(0);
  const { state, events: logged } = await readRun(repo.root);
  const events = ndjson(result.stdout);
  // --json prints the same stream that events.ndjson records.
  expect(events.map((event) => event.type)).toEqual(logged.map((event) => event.type));

  for (const id of IDS) {
    const task = state.tasks[id];
    expect(task?.status, `${id}: ${task?.reason} ${task?.detail}`).toBe("done");
    // The work of the stand-in's tool call, run by the real CLI in the lane, merged.
    const file = await git(repo, ["show", `${state.integrationBranch}:out-${id}.txt`]);
    expect(file).toBe(`written by the stand-in for ${id}`);
    expect(task?.tokens?.input, id).toBeGreaterThan(0);
    expect(task?.tokens?.output, id).toBeGreaterThan(0);
    if (options.costFor.includes(id)) expect(task?.cost, id).toBeGreaterThan(0);
    else expect(task?.cost, id).toBeUndefined();
    expect(task?.sessionId, id).toMatch(/\S{8,}/);
    expect(task?.attempts, id).toBe(1);

    const activity = ofType(events, "task_activity").filter((event) => event.taskId === id);
    expect(activity.map((event) => event.activity)).toContain(`Bash: ${COMMAND}`);
    const usage = ofType(events, "task_usage").filter((event) => event.taskId === id);
    expect(usage.at(-1)?.tokens).toEqual(task?.tokens);
  }
  // c starts only once a's and b's work is merged (its lane starts from the integration branch).
  expect(indexOf(events, "task_started", "c")).toBeGreaterThan(indexOf(events, "task_merged", "a"));
  expect(indexOf(events, "task_started", "c")).toBeGreaterThan(indexOf(events, "task_merged", "b"));

  // The summary (stderr with --json) adds the tokens of every task up.
  const total = IDS.reduce(
    (sum, id) => ({
      input: sum.input + (state.tasks[id]?.tokens?.input ?? 0),
      output: sum.output + (state.tasks[id]?.tokens?.output ?? 0),
    }),
    { input: 0, output: 0 },
  );
  const tokens = `Tokens: ${total.input.toLocaleString("en-US")} in / ${total.output.toLocaleString("en-US")} out`;
  expect(result.stderr).toContain("Summary: 3 done");
  expect(result.stderr).toContain(tokens);
  if (options.costFor.length > 0) expect(result.stderr).toMatch(/^Tokens: .*, cost \$\d+\.\d\d$/m);
  return { state, events };
}

describe.each(CASES)("lanes run with the $name preset and the real CLI", (preset) => {
  it(
    "merges every task's work and records activity, tokens and sessions",
    async () => {
      const standin = await track(preset.start());
      // The settings name the stand-in's address, known only now: they replace runRepo's.
      const repo = await runRepo({ tasks: DAG, settings: {} });
      const settings = { agent: preset.agent(standin, repo), concurrency: 3 };
      await commitSettings(repo, settings);
      const env = lanesEnv(repo);
      if (preset.name === "gemini") writeGeminiSettings(env.HOME);

      const result = await runCli(["run", "--json"], {
        cwd: repo.root,
        env,
        timeoutMs: TIMEOUT - 15_000,
      });
      await expectWorkMerged(repo, result, { costFor: preset.reportsCost ? IDS : [] });
      // One tool call and one final answer per task: nothing was retried.
      expect(standin.counts).toMatchObject({ toolCalls: 3, errors: 0 });
      expect(standin.counts.texts).toBeGreaterThanOrEqual(3);
    },
    TIMEOUT,
  );
});

describe("one run, two agents", () => {
  it(
    "runs a task whose front matter says `agent: codex` with Codex, the rest with Claude Code",
    async () => {
      const anthropic = await track(startAnthropicStandin({ script: { command: COMMAND } }));
      const openai = await track(startOpenAIStandin({ script: { command: COMMAND } }));
      const repo = await runRepo({
        tasks: { a: {}, c: { deps: ["a", "b"] } },
        files: {
          ".lanes/tasks/b.md": "---\ntitle: Task b\nagent: codex\n---\nDo b.\n",
        },
      });
      await commitSettings(repo, { agent: claudeSetting(anthropic) });
      // The plain `codex` preset, pointed at the stand-in the way a user points Codex at their
      // own provider: a config.toml in CODEX_HOME.
      const home = codexHome(repo);
      writeFileSync(
        path.join(home, "config.toml"),
        [
          'model = "gpt-5"',
          'model_provider = "local"',
          "",
          "[model_providers.local]",
          'name = "local"',
          `base_url = "${openai.url}/v1"`,
          'env_key = "OPENAI_API_KEY"',
          'wire_api = "responses"',
          "",
        ].join("\n"),
      );
      const env = lanesEnv(repo, { CODEX_HOME: home, OPENAI_API_KEY: "test-key" });

      const result = await runCli(["run", "--json"], {
        cwd: repo.root,
        env,
        timeoutMs: TIMEOUT - 15_000,
      });
      const { state } = await expectWorkMerged(repo, result, { costFor: ["a", "c"] });
      expect(anthropic.counts).toMatchObject({ toolCalls: 2, errors: 0 });
      expect(openai.counts).toMatchObject({ toolCalls: 1, errors: 0 });
      // Each agent saw its own task's prompt.
      expect(JSON.stringify(openai.requests.map((r) => r.body))).toContain("Do b.");
      expect(JSON.stringify(anthropic.requests.map((r) => r.body))).not.toContain("Do b.");
      // Codex session ids are UUIDs, Claude Code's too, but never the same one.
      expect(new Set(IDS.map((id) => state.tasks[id]?.sessionId)).size).toBe(3);
    },
    TIMEOUT,
  );
});

/** Replaces the placeholder settings runRepo committed (lanes runs from the committed HEAD). */
async function commitSettings(repo: RunRepo, settings: Record<string, unknown>): Promise<void> {
  writeFileSync(
    path.join(repo.root, ".lanes", "settings.json"),
    `${JSON.stringify(settings, null, 2)}\n`,
  );
  await git(repo, ["add", "-A"]);
  await git(repo, ["commit", "--quiet", "--amend", "--no-edit"]);
}
