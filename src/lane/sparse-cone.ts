/**
 * Which folders of a monorepo a lane checks out (`lane.sparse`), as pure rules: what a valid
 * entry is (a folder from the repository root, which git's cone mode can take), how a task's
 * `files` narrow the setting to the folders the task touches, and the pattern file git reads in
 * cone mode. Kept apart from the git side (src/git/sparse.ts) so that settings can check entries
 * without loading git, and the rules are tested without a repository.
 */
import path from "node:path";
import { globsOverlap } from "../glob/match.js";
import { hasGlobSyntax } from "../glob/pattern.js";

/** Why `entry` cannot be a `lane.sparse` folder, or undefined when it can. */
export function sparseFolderProblem(entry: string): string | undefined {
  const shown = JSON.stringify(entry);
  if (entry.startsWith("/") || /^[A-Za-z]:[\\/]/.test(entry)) {
    return `${shown} is absolute: write a folder from the repository root, e.g. packages/web`;
  }
  // Controls would split or end a line of git's pattern file.
  if (/\p{Cc}/u.test(entry)) return `${shown} holds a control character`;
  if (entry.includes("\\")) return `${shown} holds a backslash: separate folders with /`;
  if (hasGlobSyntax(entry)) {
    return `${shown} is a glob: git's cone mode takes folders (a folder brings everything under it)`;
  }
  const parts = entry.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) return `${shown} uses "..": folders must stay inside the repository`;
  if (parts.length === 0) {
    return `${shown} names the whole repository: leave lane.sparse out to check out everything`;
  }
  if (parts[0] === ".git") return `${shown} is inside .git`;
  return undefined;
}

/** `./packages/web/` -> `packages/web`; entries are checked by sparseFolderProblem first. */
export function normalizeFolder(entry: string): string {
  return entry
    .split("/")
    .filter((part) => part !== "" && part !== ".")
    .join("/");
}

/**
 * The folders a task's lane checks out, or undefined for the whole tree. A task with `files`
 * gets only the setting's folders that one of its `files` entries reaches into (a glob counts
 * when it can name something under the folder); when none does, or the task has no `files`, it
 * gets every folder of the setting: a narrowing never leaves a task fewer files than it names.
 */
export function laneCone(
  sparse: readonly string[] | undefined,
  files: readonly string[] | undefined,
): string[] | undefined {
  const folders = outermost((sparse ?? []).map(normalizeFolder));
  if (folders.length === 0) return undefined;
  if (!files || files.length === 0) return folders;
  const touched = folders.filter((folder) => files.some((file) => globsOverlap(folder, file)));
  return touched.length > 0 ? touched : folders;
}

/**
 * The cone with the folder of the task's own file added (`.lanes/tasks`): lanes commits the
 * task's `status: done` record from the lane, so the file must be checked out there, as it is
 * in a whole lane. A file at the root always is; an issue's task has no file.
 */
export function withTaskFile(
  cone: string[] | undefined,
  task: { file: string; issue?: unknown },
): string[] | undefined {
  if (!cone || task.issue !== undefined) return cone;
  const folder = path.posix.dirname(task.file);
  return folder === "." ? cone : outermost([...cone, normalizeFolder(folder)]);
}

/** Sorted, without duplicates or folders inside another listed one (the outer brings them). */
function outermost(folders: readonly string[]): string[] {
  const sorted = [...new Set(folders)].sort();
  return sorted.filter(
    (folder) => !sorted.some((other) => other !== folder && folder.startsWith(`${other}/`)),
  );
}

/**
 * The sparse-checkout file of cone mode for these folders, as `git sparse-checkout set --cone`
 * writes it: every file at the root, every file directly in each parent of a listed folder, and
 * everything under each listed folder.
 */
export function conePatterns(folders: readonly string[]): string {
  const listed = outermost(folders.map(normalizeFolder));
  const parents = new Set<string>();
  for (const folder of listed) {
    const parts = folder.split("/");
    for (let depth = 1; depth < parts.length; depth++) {
      parents.add(parts.slice(0, depth).join("/"));
    }
  }
  const lines = ["/*", "!/*/"];
  for (const parent of [...parents].sort()) lines.push(`/${parent}/`, `!/${parent}/*/`);
  for (const folder of listed) lines.push(`/${folder}/`);
  return `${lines.join("\n")}\n`;
}
