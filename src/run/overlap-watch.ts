/**
 * The early overlap warning: after each agent phase, what every lane still in flight has
 * actually changed (from its diff against the commit it started from) is compared, and two lanes
 * that changed the same file are told as a `files_overlap` event, before the merge queue finds the
 * conflict. Told once per pair and file. Never fails the run: a lane that vanished meanwhile
 * (merged and dropped) is simply left out of the comparison.
 */
import { laneChangedFiles } from "../lane/changed-files.js";
import {
  type LaneChanges,
  newOverlaps,
  type ObservedOverlap,
  observedOverlaps,
} from "../lane/observed-overlap.js";
import type { Ledger } from "./ledger.js";
import type { TaskRuntime } from "./task-runtime.js";

export class OverlapWatch {
  /** Every pair and file told so far. */
  private told: ObservedOverlap[] = [];
  /** One comparison at a time, so that `told` is read and written in order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly ledger: Ledger) {}

  /** Compares the lanes running or being landed now; resolves when told, never rejects. */
  observe(runtimes: Iterable<TaskRuntime>): Promise<void> {
    const inFlight = [...runtimes].filter(
      ({ record }) =>
        record.status === "running" && record.worktree !== undefined && record.startCommit,
    );
    this.queue = this.queue.then(() => this.compare(inFlight)).catch(() => {});
    return this.queue;
  }

  private async compare(lanes: TaskRuntime[]): Promise<void> {
    if (lanes.length < 2) return;
    const changes = await Promise.all(
      lanes.map(async ({ id, record }): Promise<LaneChanges | undefined> => {
        try {
          const files = await laneChangedFiles(
            record.worktree!,
            record.startCommit!,
            record.keptOutOfCommits ?? [],
          );
          return { id, files };
        } catch {
          return undefined; // dropped while we looked: merged, nothing left to warn about
        }
      }),
    );
    const fresh = newOverlaps(
      this.told,
      observedOverlaps(changes.filter((lane) => lane !== undefined)),
    );
    for (const pair of fresh) {
      this.told.push(pair);
      this.ledger.emit({ type: "files_overlap", a: pair.a, b: pair.b, files: pair.files });
    }
  }
}
