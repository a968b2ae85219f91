/**
 * The early overlap warning: when a lane's agent exits, what the lane changed (its diff against
 * the commit it started from) is compared with what the other lanes still being landed changed,
 * and two lanes that changed the same file are told as a `files_overlap` event, before the merge
 * queue finds the conflict. Told once per pair and file. Never fails the run.
 *
 * Each lane is diffed once, when its agent has exited and its work is final: diffing every lane
 * in flight at every exit cost two git processes per lane per exit (hundreds a second at
 * concurrency 16, which starved lane creation and the merge queue: bench/slots.mjs). A pair is
 * therefore seen by whichever of the two exits second, as long as the first is not merged yet.
 */
import { laneChangedFiles } from "../lane/changed-files.js";
import { newOverlaps, type ObservedOverlap, observedOverlaps } from "../lane/observed-overlap.js";
import type { Ledger } from "./ledger.js";
import type { TaskRuntime } from "./task-runtime.js";

export class OverlapWatch {
  /** Every pair and file told so far. */
  private told: ObservedOverlap[] = [];
  /** What each lane whose agent exited changed, until it is no longer in flight. */
  private readonly changes = new Map<string, { runtime: TaskRuntime; files: string[] }>();

  constructor(private readonly ledger: Ledger) {}

  /**
   * The agent of `exited` is done: its changes are compared with those of the lanes being
   * landed among `runtimes`. Resolves when told, never rejects.
   */
  async observe(runtimes: Iterable<TaskRuntime>, exited?: TaskRuntime): Promise<void> {
    if (!exited) return;
    for (const [id, { runtime }] of this.changes) {
      if (!inFlight(runtime)) this.changes.delete(id);
    }
    const all = [...runtimes];
    // Alone in flight: no lane now running can overlap it before it merges.
    const others = all.some((runtime) => runtime !== exited && inFlight(runtime));
    const { record } = exited;
    if (!others || !inFlight(exited)) return;
    let files: string[];
    try {
      files = await laneChangedFiles(
        record.worktree!,
        record.startCommit!,
        record.keptOutOfCommits ?? [],
      );
    } catch {
      return; // the lane vanished meanwhile: nothing to compare
    }
    // From here to the end nothing awaits: of two lanes, the one that gets here second sees the
    // first one's changes.
    this.changes.set(exited.id, { runtime: exited, files });
    // In the run's order of tasks, which names each pair's `a` and `b`.
    const lanes = all.flatMap((runtime) => {
      const entry = this.changes.get(runtime.id);
      return entry && inFlight(runtime) ? [{ id: runtime.id, files: entry.files }] : [];
    });
    const fresh = newOverlaps(this.told, observedOverlaps(lanes));
    for (const pair of fresh) {
      this.told.push(pair);
      this.ledger.emit({ type: "files_overlap", a: pair.a, b: pair.b, files: pair.files });
    }
  }
}

function inFlight({ record }: TaskRuntime): boolean {
  return record.status === "running" && record.worktree !== undefined && !!record.startCommit;
}
