// Tells someone who walked away how the run went: the `notify` setting's command (an argv, no
// shell) gets the JSON payload on stdin, its webhook gets it by POST. A notification that fails
// is reported back as text, never thrown: it must not fail the run it reports on.
import { spawn } from "node:child_process";
import type { NotifySetting } from "../config/schema.js";
import type { NotifyPayload } from "./payload.js";

/** A command or webhook that takes longer than this is given up on. */
const NOTIFY_TIMEOUT_MS = 15_000;

/** Webhook URLs carry their secret in the path (Slack's do): messages show the origin only. */
export function redactUrl(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return "(invalid URL)";
  }
}

function runCommand(argv: string[], input: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const [program, ...args] = argv;
    let stderr = "";
    let settled = false;
    const done = (problem: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(problem);
    };
    const child = spawn(program!, args, { stdio: ["pipe", "ignore", "pipe"], detached: false });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      done(`notify command ${program} did not finish within ${NOTIFY_TIMEOUT_MS / 1000} s`);
    }, NOTIFY_TIMEOUT_MS);
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString();
    });
    child.stdin.on("error", () => {}); // a command that ignores its stdin and exits
    child.on("error", (error) =>
      done(`notify command ${program} could not start: ${error.message}`),
    );
    child.on("close", (code, signal) => {
      if (code === 0) return done(undefined);
      const why = signal ? `was ended by ${signal}` : `exited with ${code}`;
      const said = stderr.trim().split("\n").at(-1);
      done(`notify command ${program} ${why}${said ? `: ${said}` : ""}`);
    });
    child.stdin.end(input);
  });
}

async function postWebhook(url: string, body: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return undefined;
    return `notify webhook ${redactUrl(url)} answered ${response.status} ${response.statusText}`.trim();
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message;
    return `notify webhook ${redactUrl(url)} failed: ${cause ?? (error as Error).message}`;
  }
}

/** Sends the payload everywhere the setting says, at once; returns what went wrong. */
export async function sendNotification(
  setting: NotifySetting,
  payload: NotifyPayload,
): Promise<string[]> {
  const body = JSON.stringify(payload);
  const sends: Promise<string | undefined>[] = [];
  if (setting.command) sends.push(runCommand(setting.command, `${body}\n`));
  if (setting.webhook) sends.push(postWebhook(setting.webhook, body));
  return (await Promise.all(sends)).filter((problem): problem is string => problem !== undefined);
}
