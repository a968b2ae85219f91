// Status records for task files that are not committed as they are on disk (new files after
// `lanes init`, or edited ones). The integration branch cannot carry them: a file it adds or
// changes that is untracked or modified in the main checkout would block `git merge --ff-only`.
// So the record waits in the run folder and is written into the file on disk once the task's work
// is in the checked-out branch (after `--land`, or at the next lanes command after a manual merge),
// and only if the file still holds the text lanes ran, so that a later edit by the user wins.
import { createHash } from "node:crypto";
import { appendFile, readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { isAncestor } from "../git/repo.js";
import type { Git } from "../git/runner.js";
import { writeFileAtomic } from "../state/atomic.js";
import { RUNS_DIR, runDir, runStatePath } from "../state/layout.js";
import { readRunState } from "../state/run-state.js";
import { isRunLive } from "../state/runs.js";
import {
  readPlainTaskFile,
  type StatusRecord,
  withStatus,
  writePlainTaskFile,
} from "../tasks/write-back.js";

/** In each run folder: one JSON line per record waiting for its task's work to land. */
export const RECORDS_ON_LANDING = "records-on-landing.ndjson";

export interface RecordOnLanding {
  taskId: string;
  /** The task file, relative to the repository root. */
  file: string;
  /** sha256 of the text lanes ran: the record is written only over that same text. */
  sha256: string;
  /** The lane's work; the task has landed once HEAD holds it. */
  laneCommit: string;
  record: StatusRecord;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Keeps a record in the run folder until the task's work lands (see the opening comment). */
export async function deferRecord(git: Git, runId: string, entry: RecordOnLanding): Promise<void> {
  await appendFile(
    path.join(runDir(git.root, runId), RECORDS_ON_LANDING),
    `${JSON.stringify(entry)}\n`,
  );
}

interface RunRecords {
  file: string;
  entries: RecordOnLanding[];
}

async function readRecords(repoRoot: string): Promise<RunRecords[]> {
  const dir = path.join(repoRoot, RUNS_DIR);
  const ids = await readdir(dir).catch(() => [] as string[]);
  const found: RunRecords[] = [];
  for (const id of ids.sort()) {
    const file = path.join(dir, id, RECORDS_ON_LANDING);
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text === undefined) continue;
    // A live run still appends to its file: it is read once that run has ended.
    const state = await readRunState(runStatePath(repoRoot, id)).catch(() => undefined);
    if (state && isRunLive(state)) continue;
    const entries = text
      .split("\n")
      .filter(Boolean)
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as RecordOnLanding];
        } catch {
          return []; // A line torn by a kill: that task runs again, nothing worse.
        }
      });
    found.push({ file, entries });
  }
  return found;
}

export interface LandedRecord {
  entry: RecordOnLanding;
  /** The task file's text with the record in it. */
  text: string;
}

/**
 * The records whose task has landed in HEAD and whose file still holds the text lanes ran, and
 * (with `write`) writes them into the task files and forgets them, as well as records that can
 * never apply (the file was edited or removed since).
 */
export async function landRecords(
  git: Git,
  { write }: { write: boolean },
): Promise<LandedRecord[]> {
  const landed: LandedRecord[] = [];
  for (const run of await readRecords(git.root)) {
    const keep: RecordOnLanding[] = [];
    for (const entry of run.entries) {
      const text = await readPlainTaskFile(git.root, entry.file);
      if (text === undefined || sha256(text) !== entry.sha256) continue;
      const inHead = await isAncestor(git, entry.laneCommit, "HEAD").catch(() => false);
      if (!inHead) {
        keep.push(entry);
        continue;
      }
      const next = withStatus(text, entry.record);
      if (write && !(await writePlainTaskFile(git.root, entry.file, next))) continue;
      landed.push({ entry, text: next });
    }
    if (!write || keep.length === run.entries.length) continue;
    if (keep.length === 0) await rm(run.file, { force: true });
    else await writeFileAtomic(run.file, keep.map((e) => `${JSON.stringify(e)}\n`).join(""));
  }
  return landed;
}

/**
 * The tasks with the status their landed records give them (done), for planning before (or
 * without) writing those records: a dry run or `lanes plan` right after a manual merge.
 */
export function withLandedStatus<T extends { id: string; status: string }>(
  tasks: T[],
  landed: LandedRecord[],
): T[] {
  const done = new Set(landed.map(({ entry }) => entry.taskId));
  return tasks.map((task) => (done.has(task.id) ? { ...task, status: "done" } : task));
}

/** Writes every landed record into its task file (after `--land`, or when a run starts). */
export async function writeLandedRecords(git: Git): Promise<string[]> {
  return (await landRecords(git, { write: true })).map(({ entry }) => entry.taskId);
}
