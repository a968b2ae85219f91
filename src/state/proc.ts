import { readdirSync, readFileSync } from "node:fs";

/**
 * What /proc says about a process (Linux). lanes records pids in run.json and the lock; a later
 * process must tell "still ours" from "dead" and from "a new process that reused the pid".
 */
export interface ProcInfo {
  /** Start time in clock ticks since boot: with the pid, a process's identity. */
  startTicks: number;
  processGroup: number;
  zombie: boolean;
}

export function procInfo(pid: number): ProcInfo | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: fields start after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return {
    zombie: fields[0] === "Z" || fields[0] === "X",
    processGroup: Number(fields[2]),
    startTicks: Number(fields[19]),
  };
}

/** Alive, not a zombie (PID 1 may not reap orphans), and the same process when `startTicks` is given. */
export function isProcessAlive(pid: number, startTicks?: number): boolean {
  const info = procInfo(pid);
  if (!info || info.zombie) return false;
  return startTicks === undefined || info.startTicks === startTicks;
}

/** Pids of live processes whose environment holds `name=value` (a run's LANES_RUN_ID marker). */
export function processesWithEnv(name: string, value: string): number[] {
  return processesWithEnvAll({ [name]: value });
}

/**
 * Pids of live processes (other than this one) whose environment holds every `name=value` given:
 * LANES_RUN_ID and LANES_TASK_ID together name one task's processes, and nothing of another
 * task's. A process that rewrote its environment is not found: cgroups (cgroup.ts) catch those.
 */
export function processesWithEnvAll(markers: Record<string, string>): number[] {
  const wanted = Object.entries(markers).map(([name, value]) => Buffer.from(`${name}=${value}\0`));
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${pid}/environ`);
    } catch {
      continue;
    }
    if (wanted.every((marker) => holdsEntry(environ, marker)) && isProcessAlive(pid)) {
      found.push(pid);
    }
  }
  return found;
}

/**
 * Live processes (other than this one) whose environment holds `name`, by its value: one pass over
 * /proc for every run at once (`lanes clean` looks for each dead run's marked processes).
 */
export function processesByEnv(name: string): Map<string, number[]> {
  const prefix = Buffer.from(`${name}=`);
  const found = new Map<string, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${pid}/environ`);
    } catch {
      continue;
    }
    const value = entryValue(environ, prefix);
    if (value !== undefined && isProcessAlive(pid))
      found.set(value, [...(found.get(value) ?? []), pid]);
  }
  return found;
}

/** The value of the NUL-separated environment's entry that starts with `prefix` (`NAME=`). */
function entryValue(environ: Buffer, prefix: Buffer): string | undefined {
  for (let from = 0; ; ) {
    const hit = environ.indexOf(prefix, from);
    if (hit === -1) return undefined;
    if (hit === 0 || environ[hit - 1] === 0) {
      const end = environ.indexOf(0, hit);
      return environ.toString("utf8", hit + prefix.length, end === -1 ? environ.length : end);
    }
    from = hit + 1;
  }
}

/** Whether the NUL-separated environment holds `marker` as a whole entry (not inside another). */
function holdsEntry(environ: Buffer, marker: Buffer): boolean {
  for (let from = 0; ; ) {
    const hit = environ.indexOf(marker, from);
    if (hit === -1) return false;
    if (hit === 0 || environ[hit - 1] === 0) return true;
    from = hit + 1;
  }
}

/** A process's command line as one line (`sleep 600`), cut to a sane length; "" when unknown. */
export function commandLine(pid: number): string {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .replace(/\0+$/, "")
      .replaceAll("\0", " ");
    return text.length > 200 ? `${text.slice(0, 199)}…` : text;
  } catch {
    return "";
  }
}
