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
  // Root passes access(X_OK) for a file with any execute bit, so a file with none is checked too.
  return (info.mode & 0o111) === 0 || !canExecute(file) ? `${file} is not executable` : undefined;
}

function canExecute(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
