import { randomBytes } from "node:crypto";
import { readFileSync, unlinkSync } from "node:fs";
import { link, mkdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { formatDuration } from "../config/duration.js";
import { LanesError } from "../errors.js";
import { RUNS_DIR } from "./layout.js";
import { isProcessAlive, procInfo } from "./proc.js";

/** Who holds a repository's lock. */
export interface LockHolder {
  pid: number;
  /** The holder's start time in clock ticks: a reused pid is not the holder. */
  startTicks: number | undefined;
  hostname: string;
  runId: string;
  since: number;
  /** Unique per acquisition: tells this holder's lock file from any other. */
  token: string;
}

export function lockPath(repoRoot: string): string {
  return path.join(repoRoot, RUNS_DIR, ".lock");
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(text) as LockHolder;
    return typeof holder.pid === "number" && typeof holder.token === "string" ? holder : undefined;
  } catch {
    return undefined;
  }
}

async function readHolder(file: string): Promise<LockHolder | undefined | "missing"> {
  try {
    return parseHolder(await readFile(file, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw error;
  }
}

/** A holder on this machine whose process is gone (or unreadable) can never release its lock. */
function isStale(holder: LockHolder | undefined): boolean {
  if (!holder) return true;
  if (holder.hostname !== hostname()) return false; // another machine's process: cannot tell
  return !isProcessAlive(holder.pid, holder.startTicks);
}

export async function readLock(repoRoot: string): Promise<LockHolder | undefined> {
  const holder = await readHolder(lockPath(repoRoot));
  return holder === "missing" ? undefined : holder;
}

export interface RepoLock {
  holder: LockHolder;
  release(): Promise<void>;
}

/**
 * One run at a time per repository. Hand-written rather than proper-lockfile: proper-lockfile
 * judges staleness by mtime (a holder killed with -9 blocks the next run for its whole stale
 * period) and takes a stale lock over by remove-then-mkdir, so two processes that both judged
 * it stale can both win. Here the lock file appears complete and atomically (link of a written
 * temp file), staleness is the holder's pid and start time, and a stale lock is removed only
 * under a steal mutex after checking it is still the one judged stale (takeOverStale).
 */
export async function acquireRepoLock(repoRoot: string, runId: string): Promise<RepoLock> {
  const file = lockPath(repoRoot);
  await mkdir(path.dirname(file), { recursive: true }).catch((error: unknown) => {
    throw runFolderError(repoRoot, error);
  });
  const holder: LockHolder = {
    pid: process.pid,
    startTicks: procInfo(process.pid)?.startTicks,
    hostname: hostname(),
    runId,
    since: Date.now(),
    token: randomBytes(8).toString("hex"),
  };
  const temp = `${file}.${holder.token}`;
  await writeFile(temp, JSON.stringify(holder)).catch((error: unknown) => {
    throw runFolderError(repoRoot, error);
  });
  try {
    for (let round = 0; round < 200; round++) {
      try {
        await link(temp, file);
        return lockHandle(file, holder);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const current = await readHolder(file);
      if (current === "missing") continue;
      if (!isStale(current)) throw lockedError(repoRoot, current!);
      await takeOverStale(file, current, holder.token);
    }
    throw new LanesError("E_LOCKED", `could not take the lock ${file}: too much contention`, {
      hint: "another lanes process keeps taking it; try again",
    });
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/**
 * Removes a stale lock, but only while holding the steal mutex (`<lock>.steal`, created by an
 * atomic link) and only if the lock is still the very one judged stale: a fresh holder's lock can
 * never be removed, and of the racers for the freed lock, `link` lets exactly one win.
 */
async function takeOverStale(
  file: string,
  judged: LockHolder | undefined,
  token: string,
): Promise<void> {
  const mutex = `${file}.steal`;
  const mine = `${mutex}.${token}`;
  await writeFile(
    mine,
    JSON.stringify({ pid: process.pid, startTicks: procInfo(process.pid)?.startTicks }),
  );
  try {
    try {
      await link(mine, mutex);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      await clearAbandonedMutex(mutex);
      await sleep(5 + Math.random() * 20); // another process is taking it over; look again soon
      return;
    }
    try {
      const current = await readHolder(file);
      if (current !== "missing" && (current?.token ?? "") === (judged?.token ?? ""))
        await unlink(file);
    } finally {
      await unlink(mutex).catch(() => {});
    }
  } finally {
    await unlink(mine).catch(() => {});
  }
}

/** A steal mutex is held for a millisecond; one whose process died long ago is left over. */
async function clearAbandonedMutex(mutex: string): Promise<void> {
  try {
    const [text, info] = await Promise.all([readFile(mutex, "utf8"), stat(mutex)]);
    const owner = JSON.parse(text) as { pid: number; startTicks?: number };
    if (Date.now() - info.mtimeMs > 10_000 && !isProcessAlive(owner.pid, owner.startTicks)) {
      await unlink(mutex);
    }
  } catch {
    // Gone meanwhile, or unreadable: the next round looks again.
  }
}

function lockHandle(file: string, holder: LockHolder): RepoLock {
  let released = false;
  const releaseSync = () => {
    if (released) return;
    released = true;
    try {
      const current = parseHolder(readFileSync(file, "utf8"));
      if (current?.token === holder.token) unlinkSync(file);
    } catch {
      // Gone already.
    }
  };
  // A normal exit releases the lock even on paths that never reach release().
  process.once("exit", releaseSync);
  return {
    holder,
    release: async () => {
      process.off("exit", releaseSync);
      releaseSync();
    },
  };
}

/**
 * The run folder cannot be made or written (a file or a dangling link in its place, a read-only
 * or full disk): the first write of a run, so nothing has started yet.
 */
function runFolderError(repoRoot: string, error: unknown): LanesError {
  const dir = path.join(repoRoot, RUNS_DIR);
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === "EEXIST" || code === "ENOTDIR"
      ? "something that is not a folder is in its place"
      : code === "ENOSPC" || code === "EDQUOT"
        ? "the disk is full"
        : code === "EACCES" || code === "EPERM" || code === "EROFS"
          ? "it is not writable"
          : code === "ENOENT"
            ? "its path leads to a folder that does not exist and cannot be made"
            : (error as Error).message;
  return new LanesError("E_IO", `cannot write the run folder ${dir}: ${why} (${code ?? "error"})`, {
    hint: "lanes keeps each run's state and logs there: make it a writable folder (free disk space, fix its permissions, or remove what is in its place); nothing was started",
    cause: error,
  });
}

function lockedError(repoRoot: string, holder: LockHolder): LanesError {
  const age = formatDuration(Date.now() - holder.since);
  return new LanesError(
    "E_LOCKED",
    `another lanes run holds ${path.relative(repoRoot, lockPath(repoRoot))}: run ${holder.runId}, pid ${holder.pid} on ${holder.hostname}, since ${new Date(holder.since).toISOString()} (${age} ago)`,
    {
      hint: `wait for it to finish, follow it with \`lanes status ${holder.runId}\`, or stop it (kill -INT ${holder.pid}) and then \`lanes resume\``,
    },
  );
}
