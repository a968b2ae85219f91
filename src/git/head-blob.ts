/**
 * Whether a file of the main checkout is committed in HEAD exactly as it is on disk, without a
 * git process per file: every task's landing asks it of its task file (task-records.ts), on the
 * path from "agent exited" to "dependent's agent started". One `git ls-tree` per folder and HEAD
 * gives the blob ids; the text on disk is hashed as git hashes a blob. HEAD is read from git's
 * files each time, so a commit in the main checkout during the run is seen at once. Anything
 * unusual (a packed branch, a sha256 repository) is asked of git as before (`cat-file`).
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { readHeadFile } from "./head-file.js";
import type { Git } from "./runner.js";

interface Entry {
  mode: string;
  oid: string;
}

/** Per repository: `<head>\0<folder>` -> the folder's entries in that commit. */
const listings = new WeakMap<Git, Map<string, Promise<Map<string, Entry>>>>();

/** The blob id git gives `text` (sha1, as in a repository whose HEAD is a 40-digit id). */
export function blobId(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

function gitPath(file: string): string {
  return file.split(path.sep).join("/");
}

/** The entries of `folder` (repository-relative, "" for the top) in commit `head`. */
function listing(git: Git, head: string, folder: string): Promise<Map<string, Entry>> {
  const perRepo = listings.get(git) ?? new Map<string, Promise<Map<string, Entry>>>();
  listings.set(git, perRepo);
  const key = `${head}\0${folder}`;
  let found = perRepo.get(key);
  if (!found) {
    found = git
      .run(["ls-tree", "-z", `${head}:${folder}`], { allowFail: true })
      .then(({ exitCode, stdout }) => {
        const entries = new Map<string, Entry>();
        if (exitCode !== 0) return entries; // no such folder in that commit
        for (const line of stdout.split("\0")) {
          const tab = line.indexOf("\t");
          const [mode = "", type, oid = ""] = line.slice(0, tab).split(" ");
          if (tab > 0 && type === "blob") entries.set(line.slice(tab + 1), { mode, oid });
        }
        return entries;
      });
    perRepo.set(key, found);
    // A failed listing is asked again next time rather than remembered.
    found.catch(() => perRepo.delete(key));
  }
  return found;
}

/** Whether HEAD of the main checkout holds `file` (repository-relative) as exactly `text`. */
export async function headHolds(git: Git, file: string, text: string): Promise<boolean> {
  const p = gitPath(file);
  const head = await readHeadFile(git.root);
  if (head === undefined) {
    const committed = await git.run(["cat-file", "blob", `HEAD:${p}`], {
      allowFail: true,
      raw: true,
    });
    return committed.exitCode === 0 && committed.stdout === text;
  }
  const folder = path.posix.dirname(p);
  const entries = await listing(git, head, folder === "." ? "" : folder);
  const entry = entries.get(path.posix.basename(p));
  // A symlink (120000) is never a task file lanes writes; a regular file is 100644 or 100755.
  return entry?.mode.startsWith("100") === true && entry.oid === blobId(text);
}
