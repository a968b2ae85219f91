// Reads a run folder back for the report and the dashboard: run.json, events.ndjson, the plan
// the run recorded (plan.json, since the report landed; today's task files for older runs) and
// the tail of a log. Tolerant: a run that is being written, or was killed, is still readable.
import { open, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { LanesEvent } from "../../run/events.js";
import type { Plan } from "../../run/plan.js";
import { runDir, runStatePath } from "../../state/layout.js";
import { readRunState } from "../../state/run-state.js";
import { loadTasks } from "../../tasks/load.js";
import type { PlannedTaskRecord, ReportInput } from "./model.js";

export const PLAN_FILE = "plan.json";
/** How much of a log's end is read for its tail: a few screens, never the whole file. */
const TAIL_BYTES = 16 * 1024;
export const TAIL_LINES = 20;

/**
 * Records the run's plan next to run.json: titles and dependencies as they were when the run
 * started, so that a report of an old run does not show today's task files.
 */
export async function recordPlan(repoRoot: string, runId: string, plan: Plan): Promise<void> {
  const file = path.join(runDir(repoRoot, runId), PLAN_FILE);
  await writeFile(file, `${JSON.stringify(plan, null, 2)}\n`);
}

async function readPlanned(repoRoot: string, runId: string): Promise<PlannedTaskRecord[]> {
  try {
    const plan = JSON.parse(
      await readFile(path.join(runDir(repoRoot, runId), PLAN_FILE), "utf8"),
    ) as Plan;
    return plan.tasks.map((task) => ({
      id: task.id,
      title: task.title,
      depends_on: task.depends_on,
    }));
  } catch {
    // A run from before plan.json, or a folder being written: today's task files, if they load.
    const tasks = await loadTasks(repoRoot).catch(() => []);
    return tasks.map((task) => ({ id: task.id, title: task.title, depends_on: task.dependsOn }));
  }
}

/** Every complete event of events.ndjson; a line cut short by a kill is left out. */
export function parseEvents(text: string): LanesEvent[] {
  const events: LanesEvent[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      events.push(JSON.parse(line) as LanesEvent);
    } catch {
      // The last line of a log that is being written, or of a killed run.
    }
  }
  return events;
}

export async function readEvents(repoRoot: string, runId: string): Promise<LanesEvent[]> {
  const text = await readFile(path.join(runDir(repoRoot, runId), "events.ndjson"), "utf8").catch(
    () => "",
  );
  return parseEvents(text);
}

// Colours and cursor moves of agent output: noise in a report.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;

/** The last lines of a log file (ANSI codes removed), or undefined when it cannot be read. */
export async function logTail(file: string, lines = TAIL_LINES): Promise<string[] | undefined> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, "r");
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const all = buffer.toString("utf8").replace(ANSI, "").split(/\r?\n/);
    if (length < size) all.shift(); // a line cut by the window
    while (all.length > 0 && all[all.length - 1]!.trim() === "") all.pop();
    return all.slice(-lines).map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line));
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/** Everything the report model needs, read from the run's folder. */
export async function readReportInput(
  repoRoot: string,
  runId: string,
  { live, now = Date.now() }: { live: boolean; now?: number },
): Promise<ReportInput> {
  const state = await readRunState(runStatePath(repoRoot, runId));
  const [events, planned] = await Promise.all([
    readEvents(repoRoot, runId),
    readPlanned(repoRoot, runId),
  ]);
  const logTails: Record<string, string[]> = {};
  for (const id of state.order) {
    const task = state.tasks[id];
    if (task?.status !== "failed" || !task.logPath) continue;
    const tail = await logTail(task.logPath);
    if (tail) logTails[id] = tail;
  }
  return { state, events, planned, logTails, now, live };
}
