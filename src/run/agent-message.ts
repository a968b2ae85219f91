/**
 * The agent's final message, for a pull request's body: what it says it did when it is done. Read
 * from the attempt's log after the fact, where the preset writes structured output that carries one
 * (Claude Code's closing `result`, Codex's last `agent_message`); other agents give none.
 */
import { readFile } from "node:fs/promises";

/** The final message in one log's text, for the preset that wrote it. */
export function finalMessageIn(text: string, preset: string): string | undefined {
  let message: string | undefined;
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (preset === "claude" && event.type === "result" && typeof event.result === "string") {
      message = event.result;
    }
    const item = event.item as Record<string, unknown> | undefined;
    if (
      preset === "codex" &&
      event.type === "item.completed" &&
      item?.type === "agent_message" &&
      typeof item.text === "string"
    ) {
      message = item.text;
    }
  }
  return message?.trim() ? message : undefined;
}

export async function finalAgentMessage(
  logPath: string | undefined,
  preset: string,
): Promise<string | undefined> {
  if (logPath === undefined || (preset !== "claude" && preset !== "codex")) return undefined;
  const text = await readFile(logPath, "utf8").catch(() => undefined);
  return text === undefined ? undefined : finalMessageIn(text, preset);
}

/** The last `count` non-empty lines of a log, for a failed task's comment. */
export async function logTail(
  logPath: string | undefined,
  count = 15,
): Promise<string | undefined> {
  if (logPath === undefined) return undefined;
  const text = await readFile(logPath, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  return lines.slice(-count).join("\n") || undefined;
}
