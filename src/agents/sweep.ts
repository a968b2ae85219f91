/**
 * Ending processes that left their agent's process group (a daemon started with setsid, a double
 * fork): signalling the group no longer reaches them, so they are ended one by one, each by its
 * pid and start time (a pid reused meanwhile is someone else's). SIGTERM, the grace period, then
 * SIGKILL. Those found by lanes' environment markers are swept again a few rounds, for a process
 * that starts another as it dies.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { commandLine, isProcessAlive, processesWithEnvAll, procInfo } from "../state/proc.js";

/** A process lanes had to end: what the events and the summary name. */
export interface EndedProcess {
  pid: number;
  command: string;
}

/** How long to wait for processes to vanish after SIGKILL (one stuck in D state is given up). */
const KILL_WAIT_MS = 5_000;
const SWEEP_ROUNDS = 3;

/** Ends every live process whose environment holds all the `markers`; returns what it ended. */
export async function endMarkedProcesses(
  markers: Record<string, string>,
  graceMs: number,
): Promise<EndedProcess[]> {
  const ended = new Map<number, EndedProcess>();
  for (let round = 0; round < SWEEP_ROUNDS; round++) {
    const pids = processesWithEnvAll(markers);
    if (pids.length === 0) break;
    for (const pid of pids) if (!ended.has(pid)) ended.set(pid, describe(pid));
    await endProcesses(pids, graceMs);
  }
  return [...ended.values()];
}

/** SIGKILL at once, synchronously, to every process holding the markers: lanes is exiting. */
export function killMarkedProcessesNow(markers: Record<string, string>): void {
  for (const pid of processesWithEnvAll(markers)) signal(pid, "SIGKILL");
}

/** What a process is, read before it is ended (afterwards /proc has forgotten it). */
export function describe(pid: number): EndedProcess {
  return { pid, command: commandLine(pid) };
}

/** SIGTERM each process, wait up to `graceMs` for all to go, then SIGKILL what is left. */
export async function endProcesses(pids: readonly number[], graceMs: number): Promise<void> {
  const targets = pids.flatMap((pid) => {
    const info = procInfo(pid);
    return info && !info.zombie ? [{ pid, startTicks: info.startTicks }] : [];
  });
  const alive = () => targets.filter((t) => isProcessAlive(t.pid, t.startTicks));
  for (const target of targets) signal(target.pid, "SIGTERM");
  if (await waitAllGone(alive, graceMs)) return;
  for (const target of alive()) signal(target.pid, "SIGKILL");
  await waitAllGone(alive, KILL_WAIT_MS);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already, or not ours to signal: nothing more to do.
  }
}

async function waitAllGone(alive: () => unknown[], ms: number): Promise<boolean> {
  const deadline = Date.now() + Math.max(0, ms);
  let pause = 10;
  while (alive().length > 0) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await sleep(Math.min(pause, left));
    pause = Math.min(pause * 2, 100);
  }
  return true;
}
