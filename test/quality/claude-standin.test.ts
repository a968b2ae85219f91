/**
 * The real Claude Code CLI against the Anthropic stand-in, given lanes' own phase prompts: a qa
 * prompt is answered with a final message whose last line is `VERDICT: READY`, which the verdict
 * reader accepts; a spec prompt with a plan and no file change; an exec prompt as before, with a
 * tool call that writes a file. The ground for a three-phase end-to-end run.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findExecutable, resolveAgent } from "../../src/agents/presets.js";
import { runAgentProcess } from "../../src/agents/process.js";
import { buildPrompt, type PromptPhase } from "../../src/agents/prompt.js";
import { parseVerdictMessage } from "../../src/quality/verdict.js";
import type { Task } from "../../src/tasks/task.js";
import { tempDir, track } from "../agents/helpers.js";
import { initRepoSync } from "../helpers/git-repo.js";
import { type PhaseAnswers, type Standin, startAnthropicStandin } from "../standins/anthropic.js";

const BIN = resolve("node_modules/.bin");
const IS_ROOT = process.getuid?.() === 0;

const task: Task = {
  id: "standin-file",
  title: "Write standin.txt",
  body: "Write standin.txt in the current folder.\n\n- [ ] standin.txt holds one line\n",
  dependsOn: [],
  labels: [],
  status: "ready",
  files: [],
  file: ".lanes/tasks/standin-file.md",
};

const standins: Standin[] = [];
afterEach(async () => {
  for (const standin of standins.splice(0)) await standin.close();
});

/** Runs Claude Code through the claude preset on one phase's prompt; returns its final message. */
async function claude(phase: PromptPhase, phases: PhaseAnswers = {}) {
  const standin = await startAnthropicStandin({ phases });
  standins.push(standin);
  const cwd = initRepoSync(tempDir());
  const agent = resolveAgent("claude", { cwd });
  const env: Record<string, string> = {
    ...agent.env,
    PATH: [BIN, process.env.PATH ?? ""].join(delimiter),
    HOME: tempDir(),
    TMPDIR: tempDir(),
    LANG: "C.UTF-8",
    ANTHROPIC_BASE_URL: standin.url,
    ANTHROPIC_API_KEY: "test-key",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    ...(IS_ROOT ? { IS_SANDBOX: "1" } : {}),
  };
  const [program, ...args] = agent.argv;
  const executable = findExecutable(program!, env.PATH);
  if (!executable) throw new Error("claude is not installed in node_modules/.bin");
  const lines: string[] = [];
  const result = await runAgentProcess({
    argv: [executable, ...args],
    cwd,
    env,
    prompt: buildPrompt({ task, verify: "npm test", phase, diff: "+written\n" }),
    logPath: join(tempDir(), `${phase}.1.log`),
    timeoutMs: 60_000,
    graceMs: 500,
    onSpawn: track,
    onLine: (line) => lines.push(line),
  });
  const events = lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
  const final = events.findLast((event) => event.type === "result")?.result;
  const status = execFileSync("git", ["status", "--porcelain"], { cwd, encoding: "utf8" });
  return { result, standin, cwd, final: typeof final === "string" ? final : undefined, status };
}

describe("Claude Code on lanes' phase prompts, against the stand-in", () => {
  it("answers a qa prompt with a final message ending in VERDICT: READY", async () => {
    const { result, standin, final, status } = await claude("qa");
    expect(result.exitCode, result.tail.join("\n")).toBe(0);
    expect(final?.split("\n").at(-1)).toBe("VERDICT: READY");
    expect(parseVerdictMessage(final!)).toEqual({
      kind: "verdict",
      verdict: "ready",
      findings: ["No problems found."],
      source: "message",
    });
    expect(standin.counts.toolCalls).toBe(0);
    expect(status).toBe("");
  }, 90_000);

  it("can be told to answer qa with needs_work and findings", async () => {
    const qa = "- standin.txt is empty\n- no test\n\nVERDICT: NEEDS_WORK";
    const { final } = await claude("qa", { qa });
    expect(parseVerdictMessage(final!)).toMatchObject({
      verdict: "needs_work",
      findings: ["standin.txt is empty", "no test"],
    });
  }, 90_000);

  it("answers a spec prompt with a plan and changes no file", async () => {
    const { result, final, status, standin } = await claude("spec");
    expect(result.exitCode, result.tail.join("\n")).toBe(0);
    expect(final).toMatch(/^Plan:\n1\. Write standin\.txt/);
    expect(status).toBe("");
    expect(standin.counts.toolCalls).toBe(0);
  }, 90_000);

  it("still does the work on an exec prompt", async () => {
    const { result, cwd, standin } = await claude("exec");
    expect(result.exitCode, result.tail.join("\n")).toBe(0);
    expect(existsSync(join(cwd, "standin.txt"))).toBe(true);
    expect(standin.counts.toolCalls).toBe(1);
  }, 90_000);
});
