/**
 * The early overlap warning: when a lane's agent exits, what the lane changed (its diff against
 * the commit it started from) is compared with what the other lanes still being landed changed,
 * and two lanes that changed the same file are told as a `files_overlap` event, before the merge
 * queue finds the conflict. Told once per pair and file. Never fails the run.
 *
 * Each lane is diffed once, when its agent has exited and its work is final: diffing every lane
 * in flight at every exit cost two git processes per lane per exit (hundreds a second at
 * concurrency 16, which starved lane creation and the merge queue: bench/slots.mjs). A pair is
 * therefore seen by whichever of the two exits second, as long as the first is not merged yet; a
 * lane alone in flight when its agent exited is read by the next lane to exit, if still here.
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
  /** Lanes whose agent exited while they were alone in flight, not read yet. */
  private readonly unread = new Map<string, TaskRuntime>();

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
    for (const [id, runtime] of this.unread) if (!inFlight(runtime)) this.unread.delete(id);
    if (!inFlight(exited)) return;
    const all = [...runtimes];
    // Alone in flight: nothing to compare with; the next lane to exit reads it, if still here.
    if (!all.some((runtime) => runtime !== exited && inFlight(runtime))) {
      this.unread.set(exited.id, exited);
      return;
    }
    const toRead = [exited, ...[...this.unread.values()].filter((runtime) => runtime !== exited)];
    this.unread.clear();
    const read = await Promise.all(
      toRead.map(async (runtime) => [runtime, await filesOf(runtime)] as const),
    );
    // From here to the end nothing awaits: of two lanes, the one that gets here second sees the
    // first one's changes.
    for (const [runtime, files] of read)
      if (files) this.changes.set(runtime.id, { runtime, files });
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

/** What the lane changed; undefined when it vanished meanwhile (merged: nothing to compare). */
async function filesOf({ record }: TaskRuntime): Promise<string[] | undefined> {
  return laneChangedFiles(
    record.worktree!,
    record.startCommit!,
    record.keptOutOfCommits ?? [],
  ).catch(() => undefined);
}

function inFlight({ record }: TaskRuntime): boolean {
  return record.status === "running" && record.worktree !== undefined && !!record.startCommit;
}
