/**
 * Ending a whole process tree. Agents run in their own process group (their pid is the group id),
 * so signalling `-pgid` reaches every process they started, even after the leader has exited.
 * `lanes resume` uses these too, with the group ids a killed run left in its state file.
 */
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { LanesError, show } from "../errors.js";

/** How long to wait for a group to vanish after SIGKILL before giving up (a process stuck in D state). */
const KILL_WAIT_MS = 5_000;

function checkPgid(pgid: number): void {
  // kill(-0) and kill(-1) mean "our own group" and "every process we may signal": never send those.
  if (!Number.isInteger(pgid) || pgid <= 1 || pgid === process.pid) {
    throw new LanesError("E_AGENT", `Expected a process group id above 1, got ${show(pgid)}`, {
      exitCode: 1,
    });
  }
}

/**
 * Whether any live process remains in the group. `kill(-pgid, 0)` alone is not enough: a group
 * whose members are all zombies still answers it, and where PID 1 does not reap orphans (many
 * containers) those zombies never go away. On Linux, /proc tells zombies apart.
 */
export function isProcessGroupAlive(pgid: number): boolean {
  checkPgid(pgid);
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    // EPERM: the group exists but belongs to someone else; it is alive all the same.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return hasLiveMember(pgid);
}

function hasLiveMember(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return true; // no /proc (macOS): trust kill(); launchd reaps orphans there.
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "latin1");
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") return true;
  }
  return false;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

async function waitGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  let pause = 10;
  while (isProcessGroupAlive(pgid)) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await sleep(Math.min(pause, left));
    pause = Math.min(pause * 2, 100);
  }
  return true;
}

/**
 * SIGTERM the group, wait up to `graceMs` for it to go, then SIGKILL whatever is left and wait
 * (a few seconds at most) for it to vanish. Resolves at once when the group is already gone.
 */
export async function killProcessGroup(pgid: number, graceMs: number): Promise<void> {
  if (!isProcessGroupAlive(pgid)) return;
  signalGroup(pgid, "SIGTERM");
  if (await waitGone(pgid, Math.max(0, graceMs))) return;
  signalGroup(pgid, "SIGKILL");
  await waitGone(pgid, KILL_WAIT_MS);
}

/**
 * SIGKILL the group at once, synchronously, never throwing: for a second Ctrl-C, where lanes is
 * about to exit and cannot wait for a grace period.
 */
export function killProcessGroupNow(pgid: number): void {
  try {
    checkPgid(pgid);
    process.kill(-pgid, "SIGKILL");
  } catch {
    // Already gone, or not a group we may signal: nothing more to do on the way out.
  }
}
