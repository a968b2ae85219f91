// What a run leaves for people beyond the terminal summary: report.html in its folder and the
// `notify` setting's messages. Wrapped around run() and resume() where the result comes back;
// nothing here may fail the run: a problem becomes a `warning` event, logged with the others.
import { appendFile } from "node:fs/promises";
import path from "node:path";
import type { NotifySetting } from "../config/schema.js";
import { runFinishedPayload, taskFailedPayload } from "../notify/payload.js";
import { sendNotification } from "../notify/send.js";
import type { LanesEvent } from "../run/events.js";
import type { RunResult } from "../run/result.js";
import { runDir } from "../state/layout.js";
import { writeRunReport } from "./html/write.js";

export type RunResultWithReport = RunResult & {
  /** The run's report.html; undefined when nothing ran or it could not be written. */
  reportPath?: string | undefined;
};

/** Listeners that are a run watcher already: a resume that starts a fresh run must not watch twice. */
const WATCHERS = new WeakSet<(event: LanesEvent) => void>();

export interface RunWatcher {
  /** The listener to hand the orchestrator in place of the caller's own. */
  onEvent: (event: LanesEvent) => void;
  /** Writes the report, sends the run-end notification, waits for the task ones. */
  finished: (result: RunResult) => Promise<RunResultWithReport>;
}

export function watchRun(
  repoRoot: string,
  notify: NotifySetting | undefined,
  listener: ((event: LanesEvent) => void) | undefined,
): RunWatcher {
  if (listener && WATCHERS.has(listener)) {
    return { onEvent: listener, finished: async (result) => result };
  }
  const pending = new Set<Promise<void>>();
  let runId: string | undefined;
  const warn = async (message: string) => {
    if (runId === undefined) return;
    const event: LanesEvent = { type: "warning", message, time: Date.now(), runId };
    await appendFile(
      path.join(runDir(repoRoot, runId), "events.ndjson"),
      `${JSON.stringify(event)}\n`,
    ).catch(() => {});
    try {
      listener?.(event);
    } catch {
      // The caller's listener must not break the run.
    }
  };
  const send = (payload: Parameters<typeof sendNotification>[1]) => {
    if (!notify) return;
    const sending = sendNotification(notify, payload)
      .then(async (problems) => {
        for (const problem of problems) await warn(problem);
      })
      .finally(() => pending.delete(sending));
    pending.add(sending);
  };
  const onEvent = (event: LanesEvent) => {
    runId = event.runId;
    listener?.(event);
    if (event.type === "task_finished" && event.status === "failed" && notify?.onTaskFailed) {
      send(
        taskFailedPayload(repoRoot, event.runId, {
          id: event.taskId,
          reason: event.reason,
          detail: event.detail,
          logPath: event.logPath,
        }),
      );
    }
  };
  WATCHERS.add(onEvent);
  return {
    onEvent,
    finished: async (result) => {
      // Nothing ran, or a fresh run started by resume already has its report.
      if (result.nothingToRun || !result.runId || "reportPath" in result) return result;
      runId = result.runId;
      let reportPath: string | undefined;
      try {
        reportPath = await writeRunReport(repoRoot, result.runId);
      } catch (error) {
        await warn(`the report could not be written: ${(error as Error).message}`);
      }
      send(runFinishedPayload(repoRoot, result, reportPath));
      while (pending.size > 0) await Promise.all(pending);
      return { ...result, reportPath };
    },
  };
}
