/**
 * A task file's text, refused when it is not what a prompt can be: bytes that are not UTF-8
 * (the agent would get U+FFFD where the author wrote something) or a file far larger than any
 * agent reads (its prompt goes on stdin whole and into every prompt file of every attempt).
 */
import { readFile } from "node:fs/promises";
import { LanesError } from "../errors.js";

/** 16 MB: a 10 MB body is carried whole (the fault suite tries it); no agent reads more. */
export const MAX_TASK_FILE_BYTES = 16 * 1024 * 1024;

export async function readTaskText(file: string, shown: string): Promise<string> {
  // Sized after reading, not by a stat first: one call fewer for each of thousands of files.
  const bytes = await readFile(file);
  const size = bytes.length;
  if (size > MAX_TASK_FILE_BYTES) {
    throw new LanesError(
      "E_TASK_FILE",
      `${shown} is ${(size / 1024 / 1024).toFixed(1)} MB, over the 16 MB a task file may hold`,
      {
        hint: "an agent reads a prompt, not a data set: put the data in a file of the repository and name it in the task",
      },
    );
  }
  try {
    // The byte-order mark is kept here: the front matter parser reads past it.
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new LanesError("E_TASK_FILE", `${shown} is not valid UTF-8 text`, {
      hint: "save the task file as UTF-8 (its body is the agent's prompt)",
    });
  }
}
