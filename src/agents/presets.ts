/**
 * How lanes runs each agent CLI unattended in a worktree: non-interactive, structured output on,
 * permission prompts off, the prompt on stdin. A setting is a preset name, a preset with a model,
 * extra args and env, or a custom argv that is never passed through a shell.
 */
import { accessSync, constants, statSync } from "node:fs";
import { basename, delimiter, isAbsolute, resolve } from "node:path";
import type { AgentSetting, PresetName } from "../config/schema.js";
import { LanesError } from "../errors.js";
import { createAiderParser } from "./parsers/aider.js";
import { createClaudeParser } from "./parsers/claude.js";
import { createCodexParser } from "./parsers/codex.js";
import { createGeminiParser } from "./parsers/gemini.js";
import { createOpencodeParser } from "./parsers/opencode.js";
import type { ParserOptions, StreamParser } from "./parsers/types.js";

export interface ResolveContext {
  /** A model chosen for this run or task; it wins over the setting's own `model`. */
  model?: string;
  /**
   * The prompt file lanes writes for each attempt (`LANES_PROMPT_FILE`): aider reads its message
   * from it (from `/dev/stdin` when it is not given).
   */
  promptFile?: string;
  /** The worktree, so that the parser shows paths relative to it. */
  cwd?: string;
  /**
   * The repository root: a custom command's relative program path (one with a `/`, such as
   * `./agent.sh`) is taken from here, as the settings file that names it means, and not from
   * wherever lanes was started (agents run in their worktree, so it must be absolute anyway).
   */
  repoRoot?: string;
}

export interface ResolvedAgent {
  /** The preset name, or "command" for a custom argv. */
  name: PresetName | "command";
  argv: string[];
  /** Set on top of the inherited environment (and lanes' own `LANES_*` variables). */
  env: Record<string, string>;
  /** Reads the agent's stdout, one line at a time; a fresh one per resolveAgent() call. */
  parser: StreamParser | undefined;
  /** The argv that continues an earlier session of this agent, where the CLI allows it. */
  resumeArgv?: (sessionId: string) => string[];
}

/** The default Gemini model: with "auto", Gemini CLI first asks a router model for every turn. */
export const DEFAULT_GEMINI_MODEL = "gemini-2.5-pro";

interface PresetInput {
  model: string | undefined;
  args: string[];
  ctx: ResolveContext;
}

interface PresetBuild {
  argv: string[];
  env: Record<string, string>;
  resumeArgv?: (sessionId: string) => string[];
  parser: (options: ParserOptions) => StreamParser;
}

const PRESETS: Record<PresetName, (input: PresetInput) => PresetBuild> = {
  claude({ model, args }) {
    const base = [
      "claude",
      "-p",
      "--output-format",
      "stream-json",
      "--verbose",
      "--permission-mode",
      "bypassPermissions",
      ...(model ? ["--model", model] : []),
    ];
    return {
      argv: [...base, ...args],
      // Parallel agents must not each try to replace the installed binary mid-run.
      env: { DISABLE_AUTOUPDATER: "1" },
      resumeArgv: (session) => [...base, "--resume", session, ...args],
      parser: createClaudeParser,
    };
  },

  codex({ model, args }) {
    // Extra args go before the trailing `-` (read the prompt from stdin) and before `resume`,
    // where `codex exec` still parses its own options.
    const options = [
      "exec",
      "--json",
      "--skip-git-repo-check",
      "--dangerously-bypass-approvals-and-sandbox",
      ...(model ? ["-m", model] : []),
      ...args,
    ];
    return {
      argv: ["codex", ...options, "-"],
      env: {},
      resumeArgv: (session) => ["codex", ...options, "resume", session, "-"],
      parser: createCodexParser,
    };
  },

  gemini({ model, args }) {
    // `-p ""` makes it headless; the prompt on stdin comes before that (empty) prompt.
    const base = [
      "gemini",
      "-p",
      "",
      "--yolo",
      "--output-format",
      "stream-json",
      "-m",
      model ?? DEFAULT_GEMINI_MODEL,
    ];
    return {
      argv: [...base, ...args],
      // Worktrees are new folders the user never trusted; untrusted, headless Gemini exits 55.
      env: { GEMINI_CLI_TRUST_WORKSPACE: "true" },
      resumeArgv: (session) => [...base, "--resume", session, ...args],
      parser: createGeminiParser,
    };
  },

  aider({ model, args, ctx }) {
    // Aider takes its message from an argument or a file, never from stdin: the attempt's prompt
    // file, or else stdin read as a file (the same prompt, piped in as for every agent).
    const messageFile = ctx.promptFile ?? "/dev/stdin";
    return {
      argv: [
        "aider",
        "--yes-always",
        "--no-pretty",
        "--no-stream",
        "--no-auto-commits",
        "--no-check-update",
        "--no-show-release-notes",
        "--no-show-model-warnings",
        "--no-analytics",
        // Aider otherwise adds `.aider*` to .gitignore: a change lanes would commit and merge.
        "--no-gitignore",
        ...(model ? ["--model", model] : []),
        "--message-file",
        messageFile,
        ...args,
      ],
      env: {},
      parser: createAiderParser,
    };
  },

  opencode({ model, args }) {
    // `opencode run` reads the message from stdin when it is not a TTY; `--auto` approves the
    // permission requests that non-interactive runs otherwise reject.
    const base = ["opencode", "run", "--format", "json", "--auto", ...(model ? ["-m", model] : [])];
    return {
      argv: [...base, ...args],
      env: {},
      resumeArgv: (session) => [...base, "--session", session, ...args],
      parser: createOpencodeParser,
    };
  },
};

/**
 * The argv, env and parser for an agent setting. A preset's `args` come after its own flags (for
 * Codex, before the trailing `-`), its `env` over the preset's; a custom command runs as given.
 */
export function resolveAgent(setting: AgentSetting, ctx: ResolveContext = {}): ResolvedAgent {
  if (typeof setting === "object" && "command" in setting) {
    const [program = "", ...args] = setting.command;
    return {
      name: "command",
      argv: [ctx.repoRoot === undefined ? program : fromRepoRoot(program, ctx.repoRoot), ...args],
      env: { ...setting.env },
      parser: undefined,
    };
  }
  const preset = typeof setting === "string" ? setting : setting.preset;
  const own = typeof setting === "string" ? undefined : setting;
  const build = PRESETS[preset]({
    model: ctx.model ?? own?.model,
    args: own?.args ?? [],
    ctx,
  });
  const resolved: ResolvedAgent = {
    name: preset,
    argv: build.argv,
    env: { ...build.env, ...own?.env },
    parser: build.parser(ctx.cwd === undefined ? {} : { cwd: ctx.cwd }),
  };
  if (build.resumeArgv) resolved.resumeArgv = build.resumeArgv;
  return resolved;
}

/** A relative program path (one with a slash) made absolute from the repository root. */
function fromRepoRoot(program: string, repoRoot: string): string {
  const isPath = program.includes("/") || (process.platform === "win32" && program.includes("\\"));
  return isPath && !isAbsolute(program) ? resolve(repoRoot, program) : program;
}

/** How to install each preset's CLI, for the "not found" error. */
const INSTALL_HINTS: Record<PresetName, string> = {
  claude: "install Claude Code: npm install -g @anthropic-ai/claude-code",
  codex: "install Codex CLI: npm install -g @openai/codex",
  gemini: "install Gemini CLI: npm install -g @google/gemini-cli",
  aider: "install aider: python -m pip install aider-install && aider-install",
  opencode: "install opencode: npm install -g opencode-ai",
};

export interface PreflightOptions {
  /** Whether lanes runs as root (`process.getuid?.() === 0`). */
  isRoot: boolean;
  /** The environment lanes passes on (usually process.env); `resolved.env` is applied on top. */
  env: Record<string, string | undefined>;
  /** Where the setting came from, for the message: `"agent" in .lanes/settings.json`. */
  source?: string;
  /** Resolves a relative command path (`./bin/agent`); the repository root. */
  cwd?: string;
}

/**
 * Problems that would make every attempt fail, found before anything starts: the command is not
 * installed, or Claude Code is asked to skip permissions as root, which it refuses.
 */
export function checkAgentPreflight(
  resolved: ResolvedAgent,
  options: PreflightOptions,
): LanesError | undefined {
  const source = options.source ?? "the agent setting";
  const env = { ...options.env, ...resolved.env };
  const program = resolved.argv[0];
  if (program === undefined || program === "") {
    return new LanesError("E_AGENT", `${source} has an empty command`, {
      hint: 'give the program and its arguments, e.g. {"command": ["my-agent", "--flag"]}',
    });
  }
  if (findExecutable(program, env.PATH, options.cwd) === undefined) {
    const hint =
      resolved.name === "command"
        ? `check the path, or add its folder to PATH (${source})`
        : `${INSTALL_HINTS[resolved.name]}, or point ${source} at another agent`;
    return new LanesError(
      "E_AGENT",
      `agent "${resolved.name}" (${source}): command "${program}" was not found${program.includes("/") ? "" : " on PATH"}`,
      { hint },
    );
  }
  if (options.isRoot && skipsPermissions(resolved) && !claudeAllowsRoot(env)) {
    return new LanesError(
      "E_AGENT",
      `agent "${resolved.name}" (${source}): Claude Code refuses to skip permission prompts when run as root, and lanes runs it unattended with --permission-mode bypassPermissions`,
      {
        hint: "run lanes as a normal user, or, inside a container or VM that is itself the sandbox, set IS_SANDBOX=1 (in the environment or the agent's env setting)",
      },
    );
  }
  return undefined;
}

function skipsPermissions(resolved: ResolvedAgent): boolean {
  const isClaude = resolved.name === "claude" || basename(resolved.argv[0] ?? "") === "claude";
  if (!isClaude) return false;
  const argv = resolved.argv;
  return (
    argv.includes("--dangerously-skip-permissions") ||
    argv.some((arg, i) => arg === "--permission-mode" && argv[i + 1] === "bypassPermissions") ||
    argv.includes("--permission-mode=bypassPermissions")
  );
}

/** Claude Code's own test: root is allowed with IS_SANDBOX=1 or inside its bubblewrap sandbox. */
function claudeAllowsRoot(env: Record<string, string | undefined>): boolean {
  return env.IS_SANDBOX === "1" || Boolean(env.CLAUDE_CODE_BUBBLEWRAP);
}

/**
 * The file a command name runs, searched like execvp does: a name with a slash is a path
 * (relative to `cwd`), anything else is looked up in each PATH folder. Undefined when missing or
 * not executable.
 */
export function findExecutable(
  program: string,
  PATH: string | undefined,
  cwd: string = process.cwd(),
): string | undefined {
  const windows = process.platform === "win32";
  const extensions = windows
    ? ["", ...(process.env.PATHEXT ?? ".EXE;.CMD;.BAT;.COM").split(";").filter(Boolean)]
    : [""];
  const candidates =
    program.includes("/") || (windows && program.includes("\\"))
      ? [resolve(cwd, program)]
      : (PATH ?? "").split(delimiter).map((folder) => resolve(cwd, folder, program));
  for (const candidate of candidates) {
    for (const extension of extensions) {
      const file = candidate + extension;
      if (isExecutableFile(file)) return file;
    }
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
