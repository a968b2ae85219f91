/**
 * Helpers the stream parsers share: reading a JSON line without throwing, and naming a tool call
 * the same way whichever agent made it (`Bash: npm test`, `Write src/a.ts`, `Edit src/b.ts`).
 */
import { isAbsolute, relative, sep } from "node:path";

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The object on a line of JSON output, or undefined for anything else (banners, warnings). */
export function parseJsonObject(line: string): Record<string, unknown> | undefined {
  const text = line.trim();
  if (!text.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A finite non-negative number, or 0: token counts are missing or null in some outputs. */
export function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

const MAX_ACTIVITY = 120;

/** One line, collapsed whitespace, at most 120 characters: the live view has one row per task. */
export function oneLine(text: string, max = MAX_ACTIVITY): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** A path as the user thinks of it: relative to the worktree when it lies inside it. */
export function displayPath(path: string, cwd: string | undefined): string {
  if (cwd === undefined || !isAbsolute(path)) return path;
  const rel = relative(cwd, path);
  if (rel === "") return ".";
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return path;
  return rel;
}

type ToolKind =
  | "Bash"
  | "Write"
  | "Edit"
  | "Read"
  | "Grep"
  | "Glob"
  | "List"
  | "WebFetch"
  | "WebSearch"
  | "Task";

/** Tool names of Claude Code, Codex, Gemini CLI and opencode, by what they do. */
const TOOL_KINDS: Record<string, ToolKind> = {
  bash: "Bash",
  shell: "Bash",
  local_shell: "Bash",
  exec_command: "Bash",
  run_shell_command: "Bash",
  write: "Write",
  write_file: "Write",
  create_file: "Write",
  edit: "Edit",
  multiedit: "Edit",
  notebookedit: "Edit",
  replace: "Edit",
  patch: "Edit",
  apply_patch: "Edit",
  read: "Read",
  read_file: "Read",
  read_many_files: "Read",
  view: "Read",
  grep: "Grep",
  grep_search: "Grep",
  search_file_content: "Grep",
  glob: "Glob",
  list: "List",
  ls: "List",
  list_directory: "List",
  webfetch: "WebFetch",
  web_fetch: "WebFetch",
  websearch: "WebSearch",
  web_search: "WebSearch",
  google_web_search: "WebSearch",
  task: "Task",
};

const PATH_KEYS = ["file_path", "filePath", "absolute_path", "notebook_path", "path", "dir_path"];

/** `Bash: npm test`, `Write src/a.ts`, `Grep: TODO`; the tool's own name when it is unknown. */
export function toolActivity(name: string, input: unknown, cwd: string | undefined): string {
  const args = isRecord(input) ? input : {};
  const kind = TOOL_KINDS[name.toLowerCase()];
  const path = PATH_KEYS.map((key) => asString(args[key])).find((value) => value !== undefined);
  const shown = path === undefined ? undefined : displayPath(path, cwd);
  switch (kind) {
    case "Bash": {
      const command = commandText(args.command ?? args.cmd);
      return oneLine(command === undefined ? "Bash" : `Bash: ${command}`);
    }
    case "Write":
    case "Edit":
    case "Read":
    case "List":
      return oneLine(shown === undefined ? kind : `${kind} ${shown}`);
    case "Grep":
    case "Glob": {
      const pattern = asString(args.pattern) ?? asString(args.query);
      return oneLine(pattern === undefined ? kind : `${kind}: ${pattern}`);
    }
    case "WebFetch":
      return oneLine(`WebFetch: ${asString(args.url) ?? ""}`);
    case "WebSearch":
      return oneLine(`WebSearch: ${asString(args.query) ?? ""}`);
    case "Task":
      return oneLine(`Task: ${asString(args.description) ?? asString(args.prompt) ?? ""}`);
    default:
      return oneLine(shown === undefined ? name : `${name} ${shown}`);
  }
}

/** A command as an agent reports it: a string, or an argv such as `["bash", "-lc", "npm test"]`. */
export function commandText(command: unknown): string | undefined {
  if (Array.isArray(command)) {
    const argv = command.filter((part): part is string => typeof part === "string");
    const last = argv[argv.length - 1];
    if (argv.length === 3 && isShell(argv[0]) && /^-l?c$/.test(argv[1] ?? "") && last) return last;
    return argv.join(" ");
  }
  if (typeof command !== "string") return undefined;
  return unwrapShell(command);
}

function isShell(program: string | undefined): boolean {
  return program !== undefined && /(?:^|\/)(?:ba|z|da)?sh$/.test(program);
}

/**
 * `/bin/bash -lc "npm test"` (how Codex reports a command) -> `npm test`. Codex quotes the script
 * as one shell word, which may join several quoted parts: `"echo \""'$HOME"'` is `echo "$HOME"`.
 */
function unwrapShell(command: string): string {
  const match = /^(\S*?(?:ba|z|da)?sh) -l?c (.+)$/s.exec(command.trim());
  if (!match || !isShell(match[1])) return command;
  const body = match[2] ?? "";
  return shellWord(body) ?? body;
}

/**
 * The text of `word` read as one POSIX shell word (quotes and escapes removed), or undefined when
 * it is not exactly one word (unquoted blanks, an unclosed quote).
 */
function shellWord(word: string): string | undefined {
  let text = "";
  let i = 0;
  while (i < word.length) {
    const char = word[i]!;
    if (char === "'") {
      const end = word.indexOf("'", i + 1);
      if (end < 0) return undefined;
      text += word.slice(i + 1, end);
      i = end + 1;
    } else if (char === '"') {
      i += 1;
      for (;;) {
        if (i >= word.length) return undefined;
        const inner = word[i]!;
        if (inner === '"') break;
        const next = word[i + 1];
        if (inner === "\\" && next !== undefined && '"\\$`\n'.includes(next)) {
          if (next !== "\n") text += next;
          i += 2;
        } else {
          text += inner;
          i += 1;
        }
      }
      i += 1;
    } else if (char === "\\") {
      const next = word[i + 1];
      if (next === undefined) return undefined;
      if (next !== "\n") text += next;
      i += 2;
    } else if (/\s/.test(char)) {
      return undefined;
    } else {
      text += char;
      i += 1;
    }
  }
  return text;
}

/**
 * The HTTP status an error message names: `unexpected status 401 Unauthorized`,
 * `last status: 429 Too Many Requests`, `"code":401`, `API Error: 529`.
 */
export function statusInText(text: string): number | undefined {
  const patterns = [
    /\bstatus(?: code)?["']?\s*[:=]?\s*["']?([1-5]\d\d)\b/i,
    /["']?code["']?\s*:\s*([1-5]\d\d)\b/i,
    /\bAPI Error:?\s*([1-5]\d\d)\b/i,
    /\b([45]\d\d)\s+(?:Unauthorized|Forbidden|Too Many Requests|Service Unavailable|Internal Server Error|Bad Gateway|Gateway Timeout)\b/i,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (match?.[1]) return Number(match[1]);
  }
  return undefined;
}
