/**
 * Why an agent program given as a path cannot run: "not found" alone hides a folder, a file
 * without the execute bit, or a link that leads nowhere, and each has its own fix.
 */
import { accessSync, constants, lstatSync, statSync } from "node:fs";

/** Why a path that exists cannot run, or undefined (an executable file, or nothing there). */
export function whyNotExecutable(file: string): string | undefined {
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(file);
  } catch {
    try {
      if (lstatSync(file).isSymbolicLink()) return `${file} is a link that leads nowhere`;
    } catch {
      // Not even a link: missing, which the "not found" error says.
    }
    return undefined;
  }
  if (info.isDirectory()) return `${file} is a folder, not a program`;
  if (!info.isFile()) return `${file} is not a regular file`;
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return `${file} is not executable`;
  }
  // Root passes access() for any file with one execute bit; one with none at all cannot run.
  if ((info.mode & 0o111) === 0) {
    return `${file} is not executable`;
  }
  return undefined;
}
