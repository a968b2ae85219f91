/**
 * The built-in scripted agent, run the way lanes runs it: compiled, through runAgentProcess.
 * dist/ is built by test/global-setup.ts.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AgentProcessOptions, runAgentProcess } from "../../src/agents/process.js";
import { findConflictMarkers } from "../../src/quality/conflicts.js";
import { parseVerdictMessage, readVerdict } from "../../src/quality/verdict.js";
import { commitOnBranch, makeRepo, type TestRepo } from "../helpers/git-repo.js";
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

describe("scripted agent in the quality loop's phases", () => {
  /** The final message: what the agent printed after "[task] done". */
  const finalMessage = (lines: string[], task = "alpha") =>
    lines.slice(lines.indexOf(`[${task}] done`) + 1).join("\n");

  it("picks a step by task, phase and attempt, most specific first", async () => {
    const plan = {
      "alpha:qa:2": { exit: 3 },
      "alpha:qa": { exit: 4 },
      "*:qa:3": { exit: 5 },
      "*:spec": { exit: 6 },
      "*": { exit: 7 },
    };
    const exit = async (task: string, phase: string, attempt: number) =>
      (await runScripted({ task, phase, attempt, plan })).result.exitCode;
    expect(await exit("alpha", "qa", 2)).toBe(3);
    expect(await exit("alpha", "qa", 1)).toBe(4);
    expect(await exit("beta", "qa", 3)).toBe(5);
    expect(await exit("beta", "spec", 1)).toBe(6);
    expect(await exit("beta", "exec", 1)).toBe(7);
  });

  it("changes no file in spec or qa unless told to; exec still leaves its output", async () => {
    for (const phase of ["spec", "qa", "resolve"]) {
      const { worktree, result } = await runScripted({ phase });
      expect(result.exitCode).toBe(0);
      expect(readdirSync(worktree)).toEqual([]);
    }
    const qa = await runScripted({
      phase: "qa",
      plan: { "*": { files: { "qa-notes.txt": "x" } } },
    });
    expect(readdirSync(qa.worktree)).toEqual(["qa-notes.txt"]);
  });

  it("writes a spec's plan to $LANES_PLAN_FILE, or prints it as the final message", async () => {
    const planFile = join(tempDir(), "plans", "alpha.md");
    const plan = { "alpha:spec": { plan: "1. Add the route\n2. Test it\n" } };
    const filed = await runScripted({ phase: "spec", plan, env: { LANES_PLAN_FILE: planFile } });
    expect(readFileSync(planFile, "utf8")).toBe("1. Add the route\n2. Test it\n");
    expect(filed.lines.at(-1)).toBe("[alpha] done");
    expect(readdirSync(filed.worktree)).toEqual([]);
    const printed = await runScripted({ phase: "spec", plan });
    expect(finalMessage(printed.lines)).toBe("1. Add the route\n2. Test it");
  });

  it("gives a qa verdict as the file lanes reads", async () => {
    const file = join(tempDir(), "verdict.json");
    const plan = { "alpha:qa": { verdict: "needs_work", findings: ["add a test for 401"] } };
    const { lines } = await runScripted({ phase: "qa", plan, env: { LANES_VERDICT_FILE: file } });
    expect(await readVerdict({ file, finalMessage: finalMessage(lines) })).toEqual({
      kind: "verdict",
      verdict: "needs_work",
      findings: ["add a test for 401"],
      source: "file",
    });
  });

  it("gives a qa verdict as the last line, with the findings above it", async () => {
    const plan = {
      "alpha:qa": { verdict: "blocked", findings: ["needs an API key", "ask the owner"] },
      "beta:qa": { verdict: "ready", verdictForm: "line" },
    };
    const blocked = await runScripted({ phase: "qa", plan });
    expect(finalMessage(blocked.lines)).toBe(
      "- needs an API key\n- ask the owner\n\nVERDICT: BLOCKED",
    );
    expect(parseVerdictMessage(finalMessage(blocked.lines))).toEqual({
      kind: "verdict",
      verdict: "blocked",
      findings: ["needs an API key", "ask the owner"],
      source: "message",
    });
    const file = join(tempDir(), "unused.json");
    const ready = await runScripted({
      task: "beta",
      phase: "qa",
      plan,
      env: { LANES_VERDICT_FILE: file },
    });
    expect(ready.lines.at(-1)).toBe("VERDICT: READY");
    expect(existsSync(file)).toBe(false);
  });

  it("can write a malformed verdict file, or none at all", async () => {
    const file = join(tempDir(), "verdict.json");
    await runScripted({
      phase: "qa",
      plan: { "*": { verdictFileText: "{ready" } },
      env: { LANES_VERDICT_FILE: file },
    });
    expect(await readVerdict({ file })).toMatchObject({ kind: "invalid", file });
    const none = await runScripted({ task: "quiet", phase: "qa" });
    expect(
      await readVerdict({
        file: join(tempDir(), "x.json"),
        finalMessage: finalMessage(none.lines, "quiet"),
      }),
    ).toMatchObject({
      kind: "none",
    });
  });

  it("saves its prompt, and fails when the prompt lacks what the script requires", async () => {
    const prompts = tempDir();
    const plan = { "alpha:exec:2": { promptMustContain: ["add a test for 401", "VERDICT"] } };
    const env = { LANES_SCRIPT_PROMPTS: prompts };
    const prompt = "Do it\n## Review findings to fix\n- add a test for 401\n";
    const lacking = await runScripted({ attempt: 2, plan, env, prompt });
    expect(lacking.result.exitCode).toBe(1);
    expect(lacking.result.tail.join("\n")).toContain('the prompt lacks: "VERDICT"');
    expect(lacking.out()).toBeUndefined();
    expect(readFileSync(join(prompts, "alpha.exec.2.md"), "utf8")).toBe(prompt);
    const holding = await runScripted({ attempt: 2, plan, env, prompt: `${prompt}VERDICT\n` });
    expect(holding.result.exitCode).toBe(0);
    expect(holding.out()).toBeDefined();
  });

  describe("resolving conflict markers", () => {
    let repo: TestRepo | undefined;
    afterEach(async () => {
      await repo?.cleanup();
      repo = undefined;
    });

    async function conflicted(): Promise<string> {
      repo = await makeRepo({ "prices.txt": "apple = 1\npear = 2\n", "notes.txt": "a\n" });
      await commitOnBranch(repo, "lane", {
        "prices.txt": "apple = 1\npear = 1\n",
        "notes.txt": "b\n",
      });
      await commitOnBranch(repo, "lanes/run/r1", {
        "prices.txt": "apple = 1\npear = 5\n",
        "notes.txt": "c\n",
      });
      const worktree = join(repo.dir, "lane-wt");
      await repo.git.run(["worktree", "add", "--quiet", worktree, "lane"]);
      await repo.git.run(["merge", "lanes/run/r1"], { cwd: worktree, allowFail: true });
      return worktree;
    }

    it.each([
      ["both", "apple = 1\npear = 1\npear = 5\n"],
      ["ours", "apple = 1\npear = 1\n"],
      ["theirs", "apple = 1\npear = 5\n"],
    ] as const)("keeps %s, in the files git reports as unmerged", async (keep, expected) => {
      const worktree = await conflicted();
      const { result, lines } = await runScripted({
        phase: "resolve",
        worktree,
        plan: { "*:resolve": { resolveConflicts: { keep } } },
      });
      expect(result.exitCode).toBe(0);
      expect(lines).toContain(`[alpha] resolved notes.txt (${keep})`);
      expect(readFileSync(join(worktree, "prices.txt"), "utf8")).toBe(expected);
      expect(await findConflictMarkers(worktree, ["prices.txt", "notes.txt"])).toEqual([]);
      expect(existsSync(join(worktree, "lanes-out"))).toBe(false);
    });

    it("resolves only the files named, leaving markers in the rest", async () => {
      const worktree = await conflicted();
      await runScripted({
        phase: "resolve",
        worktree,
        plan: { "*:resolve": { resolveConflicts: { keep: "both", files: ["prices.txt"] } } },
      });
      const left = await findConflictMarkers(worktree, ["prices.txt", "notes.txt"]);
      expect([...new Set(left.map((marker) => marker.file))]).toEqual(["notes.txt"]);
    });
  });
});
