/**
 * The built-in scripted agent, run the way lanes runs it: compiled, through runAgentProcess.
 * dist/ is built by test/global-setup.ts.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type AgentProcessOptions, runAgentProcess } from "../../src/agents/process.js";
import { childPid, groupAlive, isAlive, NODE, tempDir, track } from "./helpers.js";

const AGENT = resolve(import.meta.dirname, "../../dist/agents/scripted-agent.js");

beforeAll(() => {
  if (!existsSync(AGENT)) {
    throw new Error(`${AGENT} is missing: run \`npm run build\` (test/global-setup.ts does it)`);
  }
});

interface Scripted {
  task?: string;
  attempt?: number;
  phase?: string;
  plan?: Record<string, unknown>;
  env?: Record<string, string>;
  prompt?: string;
  worktree?: string;
  timeoutMs?: number;
}

async function runScripted(s: Scripted = {}) {
  const worktree = s.worktree ?? tempDir();
  const dir = tempDir();
  const env: Record<string, string> = {
    LANES_RUN_ID: "run-1",
    LANES_TASK_ID: s.task ?? "alpha",
    LANES_PHASE: s.phase ?? "exec",
    LANES_ATTEMPT: String(s.attempt ?? 1),
    LANES_WORKTREE: worktree,
    LANES_SCRIPT_SLEEP_MS: "20",
    LANES_SCRIPT_STARTS: join(dir, "starts.txt"),
    ...s.env,
  };
  if (s.plan) {
    env.LANES_SCRIPT_PLAN = join(dir, "plan.json");
    writeFileSync(env.LANES_SCRIPT_PLAN, JSON.stringify(s.plan));
  }
  const lines: string[] = [];
  const options: AgentProcessOptions = {
    argv: [NODE, AGENT],
    cwd: worktree,
    env,
    prompt: s.prompt ?? "Add the login endpoint\n\nBody text.",
    logPath: join(dir, "exec.1.log"),
    timeoutMs: s.timeoutMs ?? 30_000,
    graceMs: 500,
    onSpawn: track,
    onLine: (line) => lines.push(line),
  };
  const result = await runAgentProcess(options);
  const out = (task = env.LANES_TASK_ID!) => {
    const path = join(worktree, "lanes-out", `${task}.txt`);
    return existsSync(path) ? readFileSync(path, "utf8") : undefined;
  };
  const starts = () =>
    existsSync(env.LANES_SCRIPT_STARTS!) ? readFileSync(env.LANES_SCRIPT_STARTS!, "utf8") : "";
  return { result, lines, worktree, out, starts, logPath: options.logPath };
}

describe("scripted agent", () => {
  it("reads the prompt, reports progress, writes lanes-out/<task>.txt and logs its start", async () => {
    const { result, lines, out, starts } = await runScripted({ task: "alpha", attempt: 2 });
    expect(result.exitCode).toBe(0);
    expect(lines[0]).toBe("[alpha] exec attempt 2: Add the login endpoint");
    expect(lines).toContain("[alpha] working... 100%");
    expect(lines.at(-1)).toBe("[alpha] done");
    expect(out()).toBe("alpha\nAdd the login endpoint\nsaw: \n");
    expect(starts()).toBe(`alpha 2 ${result.pid}\n`);
  });

  it("lists the lanes-out files of the dependencies it finds in its worktree", async () => {
    const worktree = tempDir();
    mkdirSync(join(worktree, "lanes-out"));
    writeFileSync(join(worktree, "lanes-out", "db.txt"), "db\n");
    const { out } = await runScripted({ task: "api", worktree });
    expect(out("api")).toMatch(/saw: db\.txt\n$/);
  });

  it("follows a per-task plan: files, output, stderr, exit code", async () => {
    const { result, worktree, out, lines } = await runScripted({
      task: "beta",
      plan: {
        beta: {
          files: { "src/a.txt": "A\n" },
          output: "429 Too Many Requests",
          stderr: "oops",
          exit: 4,
        },
        other: { exit: 9 },
      },
    });
    expect(result.exitCode).toBe(4);
    expect(readFileSync(join(worktree, "src/a.txt"), "utf8")).toBe("A\n");
    expect(out()).toContain("beta");
    expect(lines).toContain("429 Too Many Requests");
    expect(result.tail).toContain("oops");
  });

  it("prefers a <task>:<phase> entry and falls back to *", async () => {
    const plan = { "gamma:qa": { exit: 5 }, "*": { exit: 6 } };
    expect((await runScripted({ task: "gamma", phase: "qa", plan })).result.exitCode).toBe(5);
    expect((await runScripted({ task: "gamma", phase: "exec", plan })).result.exitCode).toBe(6);
  });

  it("fails its first attempts when told to, without changes", async () => {
    const plan = { flaky: { failAttempts: 1 } };
    const first = await runScripted({ task: "flaky", attempt: 1, plan });
    expect(first.result.exitCode).toBe(1);
    expect(first.result.tail).toContain("[flaky] scripted failure on attempt 1");
    expect(first.out()).toBeUndefined();
    const second = await runScripted({ task: "flaky", attempt: 2, plan });
    expect(second.result.exitCode).toBe(0);
    expect(second.out()).toBeDefined();
  });

  it("can make no changes at all", async () => {
    const { result, out } = await runScripted({
      task: "idle",
      plan: { idle: { noChanges: true } },
    });
    expect(result.exitCode).toBe(0);
    expect(out()).toBeUndefined();
  });

  it("takes LANES_SCRIPT_SLEEP_MS and hangs until the timeout when told to", async () => {
    const hung = await runScripted({ plan: { alpha: { hang: true } }, timeoutMs: 300 });
    expect(hung.result).toMatchObject({ timedOut: true, signal: "SIGTERM" });
    expect(hung.out()).toBeUndefined();
    const slow = await runScripted({ env: { LANES_SCRIPT_SLEEP_MS: "5000" }, timeoutMs: 300 });
    expect(slow.result.timedOut).toBe(true);
  }, 20_000);

  it("can crash by a signal", async () => {
    const { result } = await runScripted({ plan: { alpha: { signal: "SIGKILL" } } });
    expect(result).toMatchObject({ signal: "SIGKILL", exitCode: undefined });
  });

  it("can print many bytes", async () => {
    const { result, logPath } = await runScripted({ plan: { alpha: { outputBytes: 1_000_000 } } });
    expect(result.exitCode).toBe(0);
    expect(statSync(logPath).size).toBeGreaterThan(1_000_000);
  });

  it("can leave a child behind, which lanes ends", async () => {
    const { result, lines } = await runScripted({ plan: { alpha: { spawnChild: true } } });
    expect(result.exitCode).toBe(0);
    const child = childPid(lines.map((l) => l.replace(/^\[alpha\] spawned /, "")));
    expect(isAlive(child)).toBe(false);
    expect(groupAlive(result.pid!)).toBe(false);
  }, 20_000);

  it("refuses to write outside its worktree", async () => {
    const { result } = await runScripted({ plan: { alpha: { files: { "../escape.txt": "x" } } } });
    expect(result.exitCode).toBe(70);
    expect(result.tail.join("\n")).toMatch(/outside the worktree/);
  });
});
