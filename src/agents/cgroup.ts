/**
 * A cgroup (v2) per run, and one inside it per agent or verify attempt, where Linux lets lanes
 * make them: a process stays in its cgroup whatever it does to its session, process group or
 * environment, so ending a cgroup ends everything an attempt started. Where cgroups cannot be
 * written (not Linux, no cgroup2 mount, a cgroup lanes may not create children in),
 * `openRunCgroup` returns undefined and the environment sweep (sweep.ts) is what remains; the
 * sweep runs after a cgroup's end in any case, for what started before it was adopted.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, type EndedProcess, endProcesses } from "./sweep.js";

/** A cgroup lanes created: adopt processes into it, end them all, remove it. */
export class ProcessCgroup {
  constructor(readonly dir: string) {}

  /** Moves `pid` (and what it starts from now on) into the cgroup; false when refused. */
  adopt(pid: number): boolean {
    try {
      writeFileSync(path.join(this.dir, "cgroup.procs"), `${pid}\n`);
      return true;
    } catch {
      return false;
    }
  }

  /** The live processes in the cgroup and every cgroup below it. */
  pids(): number[] {
    const found: number[] = [];
    const walk = (dir: string): void => {
      try {
        const text = readFileSync(path.join(dir, "cgroup.procs"), "utf8");
        for (const line of text.split("\n")) if (line) found.push(Number(line));
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          if (entry.isDirectory()) walk(path.join(dir, entry.name));
        }
      } catch {
        // Removed meanwhile.
      }
    };
    walk(this.dir);
    return found;
  }

  /**
   * Ends every process in the cgroup (SIGTERM, the grace period, then `cgroup.kill`, which no
   * process escapes by forking) and removes the cgroup. Returns what it had to end.
   */
  async end(graceMs: number): Promise<EndedProcess[]> {
    const pids = this.pids();
    const ended = pids.map(describe);
    if (pids.length > 0) {
      await endProcesses(pids, graceMs);
      if (this.pids().length > 0) this.kill();
    }
    await this.remove();
    return ended;
  }

  /** SIGKILL to everything in the cgroup at once, synchronously (lanes is exiting). */
  kill(): void {
    try {
      writeFileSync(path.join(this.dir, "cgroup.kill"), "1");
    } catch {
      // Before Linux 5.14 there is no cgroup.kill: SIGKILL each process instead.
      for (const pid of this.pids()) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Gone.
        }
      }
    }
  }

  /**
   * SIGKILL to all and the cgroup removed, synchronously, waiting a moment at most: lanes is
   * exiting at once (a second Ctrl-C) and leaves no empty cgroup behind.
   */
  killAndRemoveNow(): void {
    this.kill();
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let tries = 0; tries < 40 && !removeTree(this.dir); tries++) Atomics.wait(pause, 0, 0, 5);
  }

  /** rmdir, children first; a cgroup empties a moment after its last process dies. */
  private async remove(): Promise<void> {
    for (let tries = 0; tries < 50 && !removeTree(this.dir); tries++) await sleep(20);
  }
}

/** Removes an empty cgroup and the (empty) cgroups below it; true once it is gone. */
function removeTree(dir: string): boolean {
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) removeTree(path.join(dir, entry.name));
    }
    rmdirSync(dir);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT";
  }
}

/** The run's cgroup; attempts get children of it. */
export class RunCgroup extends ProcessCgroup {
  /** A child cgroup for one attempt, or undefined when it cannot be made. */
  child(name: string): ProcessCgroup | undefined {
    const dir = path.join(this.dir, name);
    try {
      mkdirSync(dir);
      return new ProcessCgroup(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return new ProcessCgroup(dir);
      return undefined;
    }
  }
}

/**
 * Creates `lanes-<runId>` beside this process's own cgroup (as its child), or returns undefined
 * where that cannot be done; a folder made but refusing processes counts as cannot.
 */
export function openRunCgroup(runId: string): RunCgroup | undefined {
  const own = ownCgroupDir();
  if (own === undefined) return undefined;
  const dir = path.join(own, `lanes-${runId}`);
  try {
    mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") return undefined;
  }
  if (!existsSync(path.join(dir, "cgroup.procs"))) return undefined;
  return new RunCgroup(dir);
}

/** The run's cgroup if a run (killed, say) left it: resume ends what is in it. */
export function findRunCgroup(runId: string): RunCgroup | undefined {
  const own = ownCgroupDir();
  const dir = own && path.join(own, `lanes-${runId}`);
  return dir && existsSync(path.join(dir, "cgroup.procs")) ? new RunCgroup(dir) : undefined;
}

/** This process's cgroup v2 folder: the cgroup2 mount point plus the `0::` line's path. */
function ownCgroupDir(): string | undefined {
  let mountPoint: string | undefined;
  let relative: string | undefined;
  try {
    // mountinfo: "id parent major:minor root mount-point options ... - fstype source options".
    for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
      const [before, after] = line.split(" - ");
      if (after?.startsWith("cgroup2 ")) {
        mountPoint = before?.split(" ")[4];
        break;
      }
    }
    relative = readFileSync("/proc/self/cgroup", "utf8")
      .split("\n")
      .find((line) => line.startsWith("0::"))
      ?.slice(3);
  } catch {
    return undefined;
  }
  if (mountPoint === undefined || relative === undefined) return undefined;
  const dir = path.join(mountPoint, relative);
  return existsSync(path.join(dir, "cgroup.procs")) ? dir : undefined;
}
