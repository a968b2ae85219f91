/**
 * The early overlap warning: after each agent phase, what every lane still in flight has
 * actually changed (from its diff against the commit it started from) is compared, and two lanes
 * that changed the same file are told as a `files_overlap` event, before the merge queue finds the
 * conflict. Told once per pair and file. Never fails the run: a lane that vanished meanwhile
 * (merged and dropped) is simply left out of the comparison.
 *
 * A lane whose agents are done changes no more until it is merged: its files are read once, when
 * its own agent exits, and kept for the comparisons that follow while it is being landed. Only
 * lanes whose agent runs are read again each time, so that the git processes an exit costs grow
 * with the agents running, not with every lane in flight (they were a dozen per task at
 * concurrency 4, on the path from "agent exited" to "merged").
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

/** What the lane changed, or undefined when it vanished while we looked (merged and dropped). */
async function read({ id, record }: TaskRuntime): Promise<LaneChanges | undefined> {
  try {
    const files = await laneChangedFiles(
      record.worktree!,
      record.startCommit!,
      record.keptOutOfCommits ?? [],
    );
    return { id, files };
  } catch {
    return undefined;
  }
}

export class OverlapWatch {
  /** Every pair and file told so far. */
  private told: ObservedOverlap[] = [];
  /** One comparison at a time, so that `told` is read and written in order. */
  private queue: Promise<void> = Promise.resolve();
  /** The files of lanes whose agents are done, read when their agent exited, by task id. */
  private readonly settled = new Map<string, readonly string[]>();

  constructor(private readonly ledger: Ledger) {}

  /**
   * Compares the lanes running or being landed now, `exiting` (whose agent just exited) read
   * afresh; resolves when told, never rejects.
   */
  observe(runtimes: Iterable<TaskRuntime>, exiting?: TaskRuntime): Promise<void> {
    const inFlight = [...runtimes].filter(
      ({ record }) =>
        record.status === "running" && record.worktree !== undefined && record.startCommit,
    );
    // The exiting lane is read at once, not after earlier comparisons: landing is about to commit
    // it, and until then one `git status` says what it changed (laneChangedFiles).
    const own =
      exiting && inFlight.length >= 2 && inFlight.includes(exiting) ? read(exiting) : undefined;
    this.queue = this.queue.then(() => this.compare(inFlight, exiting, own)).catch(() => {});
    return this.queue;
  }

  private async compare(
    lanes: TaskRuntime[],
    exiting: TaskRuntime | undefined,
    own: Promise<LaneChanges | undefined> | undefined,
  ): Promise<void> {
    const here = new Set(lanes.map(({ id }) => id));
    for (const id of this.settled.keys()) if (!here.has(id)) this.settled.delete(id);
    if (exiting) this.settled.delete(exiting.id);
    if (lanes.length < 2) return;
    const changes = await Promise.all(
      lanes.map(async (runtime): Promise<LaneChanges | undefined> => {
        if (runtime === exiting && own) {
          const files = await own;
          if (files) this.settled.set(runtime.id, files.files);
          return files;
        }
        const known = runtime.record.agent === undefined && this.settled.get(runtime.id);
        return known ? { id: runtime.id, files: known } : read(runtime);
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
