import { isLanesError } from "../errors.js";

/** Whether output may carry colour: NO_COLOR (any value) and a non-TTY turn it off. */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  if ("NO_COLOR" in process.env && process.env.NO_COLOR !== undefined) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== "0") return true;
  return Boolean(stream.isTTY);
}

/** The one place that turns an error into what the user reads. */
export function formatError(error: unknown): string {
  if (isLanesError(error)) {
    return `lanes: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ""}\n`;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `lanes: internal error: ${detail}\nhint: this is a bug in lanes; please report it with the command you ran\n`;
}
