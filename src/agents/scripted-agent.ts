/**
 * The built-in scripted agent: a real little program that `lanes demo` and the tests run in place
 * of Claude Code (`node dist/agents/scripted-agent.js`). It follows the agent contract (prompt on
 * stdin, LANES_* env, cwd = worktree) and does what its script says, so tests can stage slow,
 * failing, hanging, crashing, noisy or tree-spawning agents. No dependencies, on purpose.
 *
 * Environment:
 *   LANES_SCRIPT_SLEEP_MS  how long to "work" (default 300)
 *   LANES_SCRIPT_PLAN      path to JSON of Steps, keyed (most specific first) "<task>:<phase>:<attempt>",
 *                          "<task>:<phase>", "<task>", "*:<phase>:<attempt>", "*:<phase>", "*"
 *   LANES_SCRIPT_STARTS    file to which one line "<task-id> <attempt> <pid>" is appended per start
 *   LANES_SCRIPT_PROMPTS   folder where each start saves its prompt as <task>.<phase>.<attempt>.md
 *
 * Phases other than exec change no file unless their step says so, as a spec or qa should not.
 * A plan or a verdict goes to $LANES_PLAN_FILE / $LANES_VERDICT_FILE when set, else it is the
 * final message: the last lines on stdout, after "[task] done".
 */
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** What the agent does for one task; tests write these into LANES_SCRIPT_PLAN. */
export interface Step {
  sleepMs?: number;
  /** Exit code at the end (default 0). */
  exit?: number;
  /** Never exit: stands for an agent that is stuck. */
  hang?: boolean;
  /** Files to write, relative to the worktree. */
  files?: Record<string, string>;
  /** Fail (exit 1, no changes) while LANES_ATTEMPT <= failAttempts. */
  failAttempts?: number;
  /** Write nothing at all, not even lanes-out/<task>.txt. */
  noChanges?: boolean;
  /** Printed to stdout (a rate-limit message, say). */
  output?: string;
  /** Printed to stderr. */
  stderr?: string;
  /** This many bytes of filler lines on stdout. */
  outputBytes?: number;
  /** Leave a background child running in the group, then exit. */
  spawnChild?: boolean;
  /** End by this signal instead of exiting ("SIGKILL": a crash). */
  signal?: string;
  /** A spec's plan: written to $LANES_PLAN_FILE, or printed as the final message. */
  plan?: string;
  /** Where the plan goes (default: the file when LANES_PLAN_FILE is set, else the message). */
  planForm?: "file" | "message";
  /** A qa verdict, with `findings`: written to $LANES_VERDICT_FILE, or printed as the last line. */
  verdict?: "ready" | "needs_work" | "blocked";
  findings?: string[];
  /** Where the verdict goes (default: the file when LANES_VERDICT_FILE is set, else the line). */
  verdictForm?: "file" | "line";
  /** Raw text written to $LANES_VERDICT_FILE (a malformed verdict, say). */
  verdictFileText?: string;
  /** Exit 1 unless the prompt holds each of these (findings that must reach exec, say). */
  promptMustContain?: string[];
  /** Resolve git's conflict markers: in `files` (default: those git reports as unmerged). */
  resolveConflicts?: { files?: string[]; keep: "both" | "ours" | "theirs" };
}

const env = process.env;
const taskId = env.LANES_TASK_ID ?? "task";
const phase = env.LANES_PHASE ?? "exec";
const attempt = Number(env.LANES_ATTEMPT ?? "1");

function loadStep(): Step {
  const planPath = env.LANES_SCRIPT_PLAN;
  const plan: Record<string, Step> = planPath ? JSON.parse(readFileSync(planPath, "utf8")) : {};
  const keys = [
    `${taskId}:${phase}:${attempt}`,
    `${taskId}:${phase}`,
    taskId,
    `*:${phase}:${attempt}`,
    `*:${phase}`,
    "*",
  ];
  for (const key of keys) if (plan[key]) return plan[key];
  return {};
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Writes with backpressure, so a large `outputBytes` costs no memory in the agent either. */
async function print(text: string, stream: NodeJS.WriteStream = process.stdout): Promise<void> {
  if (!stream.write(text)) await new Promise((done) => stream.once("drain", done));
}

async function work(ms: number): Promise<void> {
  const steps = 4;
  for (let i = 1; i <= steps; i++) {
    await sleep(ms / steps);
    await print(`[${taskId}] working... ${Math.round((i / steps) * 100)}%\n`);
  }
}

function insideWorktree(path: string): string {
  const root = process.cwd();
  const target = resolve(root, path);
  const rel = relative(root, target);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
    throw new Error(`scripted agent: refusing to write outside the worktree: ${path}`);
  }
  return target;
}

async function writeFiles(files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const target = insideWorktree(path);
    mkdirSync(dirname(target), { recursive: true });
    await writeFile(target, content);
    await print(`[${taskId}] wrote ${path}\n`);
  }
}

async function main(): Promise<void> {
  const prompt = await readStdin();
  const step = loadStep();
  if (env.LANES_SCRIPT_STARTS) {
    // One short O_APPEND write: lines from concurrent agents do not interleave.
    appendFileSync(env.LANES_SCRIPT_STARTS, `${taskId} ${attempt} ${process.pid}\n`);
  }
  if (env.LANES_SCRIPT_PROMPTS) {
    mkdirSync(env.LANES_SCRIPT_PROMPTS, { recursive: true });
    await writeFile(join(env.LANES_SCRIPT_PROMPTS, `${taskId}.${phase}.${attempt}.md`), prompt);
  }
  const firstLine = prompt.split("\n", 1)[0] ?? "";
  await print(`[${taskId}] ${phase} attempt ${attempt}: ${firstLine}\n`);

  if (step.hang) {
    await print(`[${taskId}] hanging\n`);
    setInterval(() => {}, 1 << 30);
    return;
  }
  await work(step.sleepMs ?? Number(env.LANES_SCRIPT_SLEEP_MS ?? "300"));

  if (step.failAttempts !== undefined && attempt <= step.failAttempts) {
    await print(`[${taskId}] scripted failure on attempt ${attempt}\n`, process.stderr);
    process.exitCode = 1;
    return;
  }
  const missing = (step.promptMustContain ?? []).filter((text) => !prompt.includes(text));
  if (missing.length > 0) {
    await print(
      `[${taskId}] the prompt lacks: ${missing.map((t) => JSON.stringify(t)).join(", ")}\n`,
      process.stderr,
    );
    process.exitCode = 1;
    return;
  }
  if (step.resolveConflicts) await resolveConflicts(step.resolveConflicts);
  if (!step.noChanges) {
    await writeFiles(step.files ?? {});
    // Only exec leaves its mark by default: a spec or a qa that changed files would fail.
    if (phase === "exec") await writeOwnOutput(firstLine);
  }
  if (step.output !== undefined) await print(`${step.output}\n`);
  if (step.stderr !== undefined) await print(`${step.stderr}\n`, process.stderr);
  if (step.outputBytes !== undefined) await flood(step.outputBytes);
  if (step.spawnChild) {
    // Not detached: the child stays in our process group, which lanes must end after we exit.
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], {
      stdio: "ignore",
    });
    child.unref();
    await print(`[${taskId}] spawned child ${child.pid}\n`);
  }
  if (step.signal !== undefined) {
    process.kill(process.pid, step.signal as NodeJS.Signals);
    await sleep(10_000); // some signals take a moment to land
  }
  await print(`[${taskId}] done\n`);
  await finalMessage(step);
  process.exitCode = step.exit ?? 0;
}

/** What this lane saw of its dependencies' work: their lanes-out files, merged before it began. */
async function writeOwnOutput(firstLine: string): Promise<void> {
  const outDir = join(process.cwd(), "lanes-out");
  const own = `${taskId}.txt`; // a retry may find its own earlier output
  const seen = existsSync(outDir) ? readdirSync(outDir).filter((f) => f !== own) : [];
  const seenList = seen.sort().join(",");
  await writeFiles({ [`lanes-out/${taskId}.txt`]: `${taskId}\n${firstLine}\nsaw: ${seenList}\n` });
}

/** The plan and the verdict, in the file lanes named or as the last lines of the output. */
async function finalMessage(step: Step): Promise<void> {
  if (step.plan !== undefined) {
    const form = step.planForm ?? (env.LANES_PLAN_FILE ? "file" : "message");
    if (form === "file") await writeOutside(env.LANES_PLAN_FILE, step.plan, "LANES_PLAN_FILE");
    else await print(`${step.plan.trimEnd()}\n`);
  }
  if (step.verdictFileText !== undefined) {
    await writeOutside(env.LANES_VERDICT_FILE, step.verdictFileText, "LANES_VERDICT_FILE");
  }
  if (step.verdict !== undefined) {
    const findings = step.findings ?? [];
    const form = step.verdictForm ?? (env.LANES_VERDICT_FILE ? "file" : "line");
    if (form === "file") {
      const json = `${JSON.stringify({ verdict: step.verdict, findings }, null, 2)}\n`;
      await writeOutside(env.LANES_VERDICT_FILE, json, "LANES_VERDICT_FILE");
    } else {
      const bullets = findings.map((finding) => `- ${finding}\n`).join("");
      await print(`${bullets}${bullets ? "\n" : ""}VERDICT: ${step.verdict.toUpperCase()}\n`);
    }
  }
}

/** The plan and verdict files are lanes' own paths (in its run folder), named by the env. */
async function writeOutside(file: string | undefined, text: string, name: string): Promise<void> {
  if (!file) throw new Error(`scripted agent: ${name} is not set`);
  mkdirSync(dirname(file), { recursive: true });
  await writeFile(file, text);
}

const MARKER = /^(<{7}|={7}|>{7})(?: |$)/;

/** Rewrites each conflict hunk as one side, or both one after the other (ours first). */
async function resolveConflicts(how: NonNullable<Step["resolveConflicts"]>): Promise<void> {
  const files =
    how.files ??
    spawnSync("git", ["diff", "--name-only", "--diff-filter=U"], { encoding: "utf8" })
      .stdout.split("\n")
      .filter(Boolean);
  for (const file of files) {
    const target = insideWorktree(file);
    const out: string[] = [];
    let side: "none" | "ours" | "base" | "theirs" = "none";
    for (const line of readFileSync(target, "utf8").split("\n")) {
      const marker = MARKER.exec(line)?.[1]?.[0] ?? (/^\|{7}(?: |$)/.test(line) ? "|" : undefined);
      if (marker === "<") side = "ours";
      else if (marker === "|" && side === "ours") side = "base";
      else if (marker === "=" && side !== "none") side = "theirs";
      else if (marker === ">" && side === "theirs") side = "none";
      else if (side === "none") out.push(line);
      else if (side === "ours" && how.keep !== "theirs") out.push(line);
      else if (side === "theirs" && how.keep !== "ours") out.push(line);
    }
    await writeFile(target, out.join("\n"));
    await print(`[${taskId}] resolved ${file} (${how.keep})\n`);
  }
}

async function flood(bytes: number): Promise<void> {
  const line = `${"x".repeat(99)}\n`;
  let left = bytes;
  while (left > 0) {
    const chunk = line.repeat(Math.min(Math.ceil(left / line.length), 640)).slice(0, left);
    await print(chunk);
    left -= chunk.length;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`scripted agent: ${(error as Error).message}\n`);
  process.exitCode = 70;
});
