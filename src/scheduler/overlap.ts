/**
 * Which tasks declare overlapping `files`: two tasks that edit the same file at the same time
 * conflict at the merge, so the scheduler keeps such pairs apart and `lanes plan` lists them.
 *
 * The rule (see glob/match.ts): each entry of `files` names a path or glob and everything under
 * it, so `src/auth` overlaps `src/auth/login.ts` and `src/*.ts` overlaps `src/**`; two tasks
 * overlap when any entry of one can name a file that an entry of the other names. The rule is
 * conservative: where it cannot tell, it says "overlap". A task without `files` overlaps nothing
 * (it declared nothing; what it really touches is watched from its diff, lane/observed-overlap.ts).
 */
import { globsOverlap } from "../glob/match.js";

export interface FilesOfTask {
  id: string;
  files?: readonly string[] | undefined;
}

export interface OverlapPair {
  a: string;
  b: string;
  /** One entry of a's files and one of b's that meet: what to show the user. */
  files: [string, string];
}

/** Every overlapping pair once, `a` before `b` in the input's order. */
export function overlappingPairs(tasks: readonly FilesOfTask[]): OverlapPair[] {
  const pairs: OverlapPair[] = [];
  for (let i = 0; i < tasks.length; i++) {
    for (let j = i + 1; j < tasks.length; j++) {
      const meeting = firstMeeting(tasks[i]!.files ?? [], tasks[j]!.files ?? []);
      if (meeting !== undefined) {
        pairs.push({ a: tasks[i]!.id, b: tasks[j]!.id, files: meeting });
      }
    }
  }
  return pairs;
}

function firstMeeting(
  left: readonly string[],
  right: readonly string[],
): [string, string] | undefined {
  for (const x of left) {
    for (const y of right) {
      if (overlapSafely(x, y)) return [x, y];
    }
  }
  return undefined;
}

/** A pattern too large to expand cannot be reasoned about: count it as overlapping. */
function overlapSafely(x: string, y: string): boolean {
  try {
    return globsOverlap(x, y);
  } catch {
    return true;
  }
}
