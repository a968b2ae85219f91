/**
 * Decides, before a run starts, which files each lane gets from the main checkout that git does
 * not put there: `lane.link` (folders such as node_modules, symlinked), `lane.copy` and the
 * root's `.worktreeinclude` (files such as .env, copied). Bad settings fail here, with exit 2 and
 * nothing changed: an entry that names a tracked path (git already puts it in every lane), one
 * that leads outside the repository, one that is not a relative path. A missing path is only a
 * note: a fresh clone has no .env yet, and that must not stop a run.
 */
import { lstat, realpath } from "node:fs/promises";
import path from "node:path";
import { LanesError, show } from "../errors.js";
import { Git } from "../git/runner.js";
import { compileGlob } from "../glob/match.js";
import { hasGlobSyntax, normalizePattern } from "../glob/pattern.js";
import { expandGlob } from "./glob-walk.js";
import { isTakeable } from "./inside.js";
import { worktreeIncludeFiles } from "./worktree-include.js";

export interface LaneFilesSettings {
  /** `lane.copy`: paths or globs, relative to the root, of files (or folders) to copy. */
  copy?: readonly string[];
  /** `lane.link`: paths or globs of folders (or files) to symlink. */
  link?: readonly string[];
  /** Whether to read the root's `.worktreeinclude` (default true). */
  worktreeInclude?: boolean;
}

export type LaneFileSource = "lane.copy" | "lane.link" | ".worktreeinclude";

export interface LaneFile {
  /** Relative to the root (and to the lane), `/`-separated. */
  path: string;
  source: LaneFileSource;
  /** The settings entry (path or glob) or .worktreeinclude line it came from. */
  entry: string;
}

/** What every lane of a run gets; serialisable, computed once per run. */
export interface LaneFilesPlan {
  /** The repository root, resolved. */
  root: string;
  links: LaneFile[];
  copies: LaneFile[];
  /** What was skipped and why (missing paths, globs matching nothing, overlaps). */
  notes: string[];
}

export async function checkLaneFiles(
  root: string,
  settings: LaneFilesSettings,
): Promise<LaneFilesPlan> {
  const realRoot = await realpath(root);
  const git = new Git(realRoot);
  const notes: string[] = [];
  const links = await withoutTracked(
    git,
    await expandEntries(realRoot, "lane.link", settings.link ?? [], notes),
    notes,
  );
  const copies = await withoutTracked(
    git,
    await expandEntries(realRoot, "lane.copy", settings.copy ?? [], notes),
    notes,
  );
  await refuseOutside(realRoot, [...links, ...copies]);
  const included =
    settings.worktreeInclude === false ? [] : await worktreeIncludeFiles(git, realRoot, notes);

  const keptLinks = outermost(links);
  const keptCopies: LaneFile[] = [];
  for (const file of outermost([...copies, ...included])) {
    const link = keptLinks.find((l) => covers(l.path, file.path));
    if (link === undefined) {
      keptCopies.push(file);
    } else if (file.source !== ".worktreeinclude") {
      notes.push(
        `${file.source}: ${show(file.path)} is inside the linked ${show(link.path)}; not copied`,
      );
    }
  }
  return { root: realRoot, links: keptLinks, copies: keptCopies, notes };
}

async function expandEntries(
  realRoot: string,
  key: "lane.copy" | "lane.link",
  entries: readonly string[],
  notes: string[],
): Promise<LaneFile[]> {
  if (!Array.isArray(entries)) {
    throw new LanesError("E_SETTINGS", `Expected \`${key}\` to be a list, got ${show(entries)}.`, {
      hint: `For example "${key}": [".env"].`,
    });
  }
  const files: LaneFile[] = [];
  for (const entry of entries) {
    checkEntry(key, entry);
    if (!hasGlobSyntax(entry)) {
      const rel = normalizePattern(entry);
      if (await exists(path.join(realRoot, rel))) {
        files.push({ path: rel, source: key, entry });
      } else {
        notes.push(`${key}: ${show(entry)} does not exist in the repository; skipped`);
      }
      continue;
    }
    const matches = await expandGlob(realRoot, entry);
    if (matches.length === 0) notes.push(`${key}: ${show(entry)} matches nothing; skipped`);
    for (const match of matches) files.push({ path: match, source: key, entry });
  }
  return files;
}

function checkEntry(key: string, entry: unknown): asserts entry is string {
  const bad = (why: string, hint: string) =>
    new LanesError("E_SETTINGS", `\`${key}\` entry ${show(entry)} ${why}.`, { hint });
  if (typeof entry !== "string" || normalizePattern(entry) === "") {
    throw bad("is not a path", `List paths relative to the repository root, like ".env".`);
  }
  if (entry.includes("\0")) throw bad("contains a NUL byte", "Remove it.");
  if (path.isAbsolute(entry) || /^[A-Za-z]:/.test(entry)) {
    throw bad(
      "is an absolute path",
      "Write it relative to the repository root: lanes takes files only from the repository.",
    );
  }
  const segments = entry.split("/");
  if (segments.includes("..")) {
    throw bad("leaves the repository (..)", "Lanes takes files only from inside the repository.");
  }
  if (normalizePattern(entry).split("/")[0] === ".git") {
    throw bad("is inside .git", "Git's own folder is never copied or linked into a lane.");
  }
  try {
    compileGlob(entry);
  } catch (error) {
    throw bad(`cannot be used: ${(error as Error).message}`, "Use fewer {a,b} alternatives.");
  }
}

/**
 * A tracked path is already in every lane: naming one is a mistake, refused. A glob's tracked
 * matches are only noted and left out, since `.env*` rightly means `.env` and `.env.local` but
 * usually also meets a tracked `.env.example`.
 */
async function withoutTracked(
  git: Git,
  files: readonly LaneFile[],
  notes: string[],
): Promise<LaneFile[]> {
  const kept: LaneFile[] = [];
  for (let i = 0; i < files.length; i += 100) {
    const batch = files.slice(i, i + 100);
    const { stdout } = await git.run([
      "ls-files",
      "-z",
      "--",
      ...batch.map((file) => `:(literal)${file.path}`),
    ]);
    const tracked = stdout.split("\0").filter((line) => line !== "");
    for (const file of batch) {
      const hit = tracked.find((t) => covers(file.path, t));
      if (hit === undefined) {
        kept.push(file);
        continue;
      }
      if (hasGlobSyntax(file.entry)) {
        notes.push(
          `${file.source}: ${show(file.path)} (from ${show(file.entry)}) ` +
            `${hit === file.path ? "is tracked by git" : "holds tracked files"}; skipped`,
        );
        continue;
      }
      const from = file.entry === file.path ? "" : ` (from ${show(file.entry)})`;
      const what =
        hit === file.path
          ? `names ${show(file.path)}${from}, which git tracks: every lane already has it`
          : `names ${show(file.path)}${from}, which holds files git tracks (${show(hit)})`;
      throw new LanesError("E_SETTINGS", `\`${file.source}\` ${what}.`, {
        hint: `Remove it from \`${file.source}\`: list only ignored or untracked paths, like .env or node_modules.`,
      });
    }
  }
  return kept;
}

/** A symlink in the repository must not carry lanes out of it (to ~/.ssh, say). */
async function refuseOutside(realRoot: string, files: readonly LaneFile[]): Promise<void> {
  for (const file of files) {
    let real: string;
    try {
      real = await realpath(path.join(realRoot, file.path));
    } catch {
      real = "(a missing target)";
    }
    if (isTakeable(realRoot, real)) continue;
    throw new LanesError(
      "E_SETTINGS",
      `\`${file.source}\` names ${show(file.path)}, which leads outside the repository (to ${real}).`,
      {
        hint: `Remove it from \`${file.source}\`: lanes copies and links only from inside the repository.`,
      },
    );
  }
}

/** Drops duplicates and anything inside another entry of the same list. */
function outermost(files: readonly LaneFile[]): LaneFile[] {
  const kept: LaneFile[] = [];
  for (const file of [...files].sort((a, b) => a.path.length - b.path.length)) {
    if (!kept.some((k) => covers(k.path, file.path))) kept.push(file);
  }
  return kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Whether `outer` is `inner` or a folder holding it. */
function covers(outer: string, inner: string): boolean {
  return inner === outer || inner.startsWith(`${outer}/`);
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}
