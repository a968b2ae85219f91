import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkAgentPreflight,
  findExecutable,
  type ResolvedAgent,
  resolveAgent,
} from "../../src/agents/presets.js";
import { PRESET_NAMES } from "../../src/config/schema.js";
import { LanesError } from "../../src/errors.js";

const CLAUDE = [
  "claude",
  "-p",
  "--output-format",
  "stream-json",
  "--verbose",
  "--permission-mode",
  "bypassPermissions",
];
const CODEX = [
  "codex",
  "exec",
  "--json",
  "--skip-git-repo-check",
  "--dangerously-bypass-approvals-and-sandbox",
];
const GEMINI = ["gemini", "-p", "", "--yolo", "--output-format", "stream-json"];
const AIDER = [
  "aider",
  "--yes-always",
  "--no-pretty",
  "--no-stream",
  "--no-auto-commits",
  "--no-check-update",
  "--no-show-release-notes",
  "--no-show-model-warnings",
  "--no-analytics",
  "--no-gitignore",
];

describe("resolveAgent", () => {
  it("runs Claude Code headless with stream-json and no permission prompts", () => {
    const agent = resolveAgent("claude");
    expect(agent.name).toBe("claude");
    expect(agent.argv).toEqual(CLAUDE);
    expect(agent.env).toEqual({ DISABLE_AUTOUPDATER: "1" });
    expect(agent.parser).toBeDefined();
    expect(agent.resumeArgv?.("s-1")).toEqual([...CLAUDE, "--resume", "s-1"]);
  });

  it("adds the model, appends extra args after the preset's own and merges env", () => {
    const agent = resolveAgent({
      preset: "claude",
      model: "opus",
      args: ["--max-turns", "30"],
      env: { IS_SANDBOX: "1", DISABLE_AUTOUPDATER: "0" },
    });
    expect(agent.argv).toEqual([...CLAUDE, "--model", "opus", "--max-turns", "30"]);
    expect(agent.env).toEqual({ DISABLE_AUTOUPDATER: "0", IS_SANDBOX: "1" });
    expect(agent.resumeArgv?.("s-1")).toEqual([
      ...CLAUDE,
      "--model",
      "opus",
      "--resume",
      "s-1",
      "--max-turns",
      "30",
    ]);
  });

  it("lets the run's model win over the setting's", () => {
    const agent = resolveAgent({ preset: "claude", model: "opus" }, { model: "haiku" });
    expect(agent.argv).toEqual([...CLAUDE, "--model", "haiku"]);
  });

  it("runs codex exec with the prompt from stdin and resumes with `exec resume`", () => {
    const agent = resolveAgent("codex");
    expect(agent.argv).toEqual([...CODEX, "-"]);
    expect(agent.env).toEqual({});
    expect(agent.resumeArgv?.("0199-abc")).toEqual([...CODEX, "resume", "0199-abc", "-"]);
  });

  it("puts codex's model and extra args before the stdin marker and before `resume`", () => {
    const agent = resolveAgent({
      preset: "codex",
      model: "gpt-5-codex",
      args: ["-c", "model_reasoning_effort=high"],
    });
    const options = [...CODEX, "-m", "gpt-5-codex", "-c", "model_reasoning_effort=high"];
    expect(agent.argv).toEqual([...options, "-"]);
    expect(agent.resumeArgv?.("t1")).toEqual([...options, "resume", "t1", "-"]);
  });

  it("pins Gemini's model (gemini-2.5-pro unless given) and trusts the worktree", () => {
    const agent = resolveAgent("gemini");
    expect(agent.argv).toEqual([...GEMINI, "-m", "gemini-2.5-pro"]);
    expect(agent.env).toEqual({ GEMINI_CLI_TRUST_WORKSPACE: "true" });
    expect(agent.resumeArgv?.("g1")).toEqual([...GEMINI, "-m", "gemini-2.5-pro", "--resume", "g1"]);
    const flash = resolveAgent({ preset: "gemini", model: "gemini-2.5-flash", args: ["--debug"] });
    expect(flash.argv).toEqual([...GEMINI, "-m", "gemini-2.5-flash", "--debug"]);
  });

  it("gives aider the prompt by file, never on the command line", () => {
    const agent = resolveAgent(
      { preset: "aider", model: "sonnet", args: ["--map-tokens", "0"] },
      { promptFile: "/runs/r1/prompts/a.exec.1.md" },
    );
    expect(agent.argv).toEqual([
      ...AIDER,
      "--model",
      "sonnet",
      "--message-file",
      "/runs/r1/prompts/a.exec.1.md",
      "--map-tokens",
      "0",
    ]);
    expect(agent.resumeArgv).toBeUndefined();
    expect(agent.parser).toBeDefined();
  });

  it("lets aider read the piped prompt as its message file when there is no prompt file", () => {
    expect(resolveAgent("aider").argv).toEqual([...AIDER, "--message-file", "/dev/stdin"]);
  });

  it("runs opencode with JSON events, auto-approval and --session to resume", () => {
    const agent = resolveAgent({ preset: "opencode", model: "anthropic/claude-sonnet-4-5" });
    const base = [
      "opencode",
      "run",
      "--format",
      "json",
      "--auto",
      "-m",
      "anthropic/claude-sonnet-4-5",
    ];
    expect(agent.argv).toEqual(base);
    expect(agent.resumeArgv?.("ses_1")).toEqual([...base, "--session", "ses_1"]);
  });

  it("runs a custom command as given, with its env and no parser", () => {
    const agent = resolveAgent(
      { command: ["./bin/agent", "--fast"], env: { MODE: "x" } },
      { model: "ignored" },
    );
    expect(agent).toEqual({
      name: "command",
      argv: ["./bin/agent", "--fast"],
      env: { MODE: "x" },
      parser: undefined,
    });
  });

  it.each([
    ["./bin/agent", "/repo/bin/agent"],
    ["bin/agent", "/repo/bin/agent"],
    ["../tools/agent", "/tools/agent"],
    ["/opt/agent", "/opt/agent"],
    ["my-agent", "my-agent"],
  ])("takes a custom command's program %s from the repository root: %s", (program, expected) => {
    const agent = resolveAgent({ command: [program, "./arg"] }, { repoRoot: "/repo" });
    // Only the program: arguments are the agent's business, read in its worktree.
    expect(agent.argv).toEqual([expected, "./arg"]);
  });

  it("never puts the prompt on the command line of any preset", () => {
    for (const preset of PRESET_NAMES) {
      const agent = resolveAgent(preset, { promptFile: "/tmp/prompt.md", model: "m" });
      expect(agent.argv.join(" ")).not.toMatch(/Implement|prompt text/);
      expect(agent.argv[0]).toBe(preset);
    }
  });

  it("gives each resolution its own parser, so state never leaks between attempts", () => {
    expect(resolveAgent("opencode").parser).not.toBe(resolveAgent("opencode").parser);
  });

  it("shows activity paths relative to the worktree given as cwd", () => {
    const agent = resolveAgent("claude", { cwd: "/work/tree" });
    const line = JSON.stringify({
      type: "assistant",
      message: {
        content: [{ type: "tool_use", name: "Write", input: { file_path: "/work/tree/src/a.ts" } }],
      },
    });
    expect(agent.parser?.parseLine(line)).toEqual([{ kind: "activity", text: "Write src/a.ts" }]);
  });
});

describe("findExecutable and checkAgentPreflight", () => {
  const root = mkdtempSync(join(tmpdir(), "lanes-presets-"));
  const bin = join(root, "bin");
  mkdirSync(bin);
  for (const name of ["claude", "codex", "my-agent"]) {
    writeFileSync(join(bin, name), "#!/bin/sh\nexit 0\n");
    chmodSync(join(bin, name), 0o755);
  }
  writeFileSync(join(bin, "not-executable"), "data");
  chmodSync(join(bin, "not-executable"), 0o644);
  const PATH = [join(root, "empty"), bin].join(delimiter);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("finds commands on PATH and paths relative to cwd, like execvp", () => {
    expect(findExecutable("claude", PATH)).toBe(join(bin, "claude"));
    expect(findExecutable("gemini", PATH)).toBeUndefined();
    expect(findExecutable("not-executable", PATH)).toBeUndefined();
    expect(findExecutable("claude", undefined)).toBeUndefined();
    expect(findExecutable("./bin/my-agent", "", root)).toBe(join(bin, "my-agent"));
    expect(findExecutable(join(bin, "codex"), "")).toBe(join(bin, "codex"));
    expect(findExecutable("bin", PATH, root)).toBeUndefined(); // a folder is no program
  });

  it("names the command, the setting and how to install it when it is missing", () => {
    const error = checkAgentPreflight(resolveAgent("gemini"), {
      isRoot: false,
      env: { PATH },
      source: '"agent" in .lanes/settings.json',
    });
    expect(error).toBeInstanceOf(LanesError);
    expect(error?.code).toBe("E_AGENT");
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toContain('command "gemini" was not found on PATH');
    expect(error?.message).toContain('"agent" in .lanes/settings.json');
    expect(error?.hint).toContain("npm install -g @google/gemini-cli");

    const custom = checkAgentPreflight(resolveAgent({ command: ["./nope", "x"] }), {
      isRoot: false,
      env: { PATH },
      cwd: root,
    });
    expect(custom?.message).toContain('command "./nope" was not found');
  });

  it("explains that Claude Code refuses to skip permissions as root unless IS_SANDBOX=1", () => {
    const claude = resolveAgent("claude");
    const error = checkAgentPreflight(claude, { isRoot: true, env: { PATH } });
    expect(error?.code).toBe("E_AGENT");
    expect(error?.message).toMatch(/root/);
    expect(error?.message).toMatch(/bypassPermissions/);
    expect(error?.hint).toContain("IS_SANDBOX=1");

    expect(checkAgentPreflight(claude, { isRoot: true, env: { PATH, IS_SANDBOX: "1" } })).toBe(
      undefined,
    );
    // IS_SANDBOX may come with the agent's own env setting.
    const sandboxed = resolveAgent({ preset: "claude", env: { IS_SANDBOX: "1" } });
    expect(checkAgentPreflight(sandboxed, { isRoot: true, env: { PATH } })).toBeUndefined();
    expect(checkAgentPreflight(claude, { isRoot: false, env: { PATH } })).toBeUndefined();
    // Other agents and a claude command that keeps its permission prompts are fine as root.
    expect(checkAgentPreflight(resolveAgent("codex"), { isRoot: true, env: { PATH } })).toBe(
      undefined,
    );
    const asked: ResolvedAgent = { ...claude, argv: ["claude", "-p"] };
    expect(checkAgentPreflight(asked, { isRoot: true, env: { PATH } })).toBeUndefined();
    const custom = resolveAgent({ command: ["claude", "-p", "--dangerously-skip-permissions"] });
    expect(checkAgentPreflight(custom, { isRoot: true, env: { PATH } })?.hint).toContain(
      "IS_SANDBOX=1",
    );
  });
});
