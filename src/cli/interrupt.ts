import { killProcessGroupNow } from "../agents/process-group.js";

/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP: the first aborts the run, which ends every agent's
 * process group, saves state and exits 130; a second exits at once, after SIGKILL to every
 * agent group still known, so that nothing outlives lanes either way.
 */
export function handleInterrupts(onFirst: () => void): {
  signal: AbortSignal;
  agentStarted: (taskId: string, pgid: number) => void;
  agentEnded: (taskId: string) => void;
  dispose: () => void;
} {
  const controller = new AbortController();
  const groups = new Map<string, number>();
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) {
      onFirst();
      controller.abort();
      return;
    }
    for (const pgid of groups.values()) killProcessGroupNow(pgid);
    process.exit(130);
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const name of signals) process.on(name, handler);
  return {
    signal: controller.signal,
    agentStarted: (taskId, pgid) => groups.set(taskId, pgid),
    agentEnded: (taskId) => groups.delete(taskId),
    dispose: () => {
      for (const name of signals) process.off(name, handler);
    },
  };
}
