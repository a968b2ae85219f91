/**
 * The early warning: which running or queued lanes have actually changed the same file (from
 * their diffs after each agent phase), so that the live view and the events say so before the
 * merge queue finds the conflict. Pure: the caller collects the diffs and emits the events.
 */
export interface LaneChanges {
  /** The task id of the lane. */
  id: string;
  /** Paths changed in the lane relative to its base, as git prints them (`/`-separated). */
  files: readonly string[];
}

export interface ObservedOverlap {
  a: string;
  b: string;
  /** The files both lanes changed, sorted. */
  files: string[];
}

/** Every pair of lanes that changed a common file, `a` before `b` in the input's order. */
export function observedOverlaps(lanes: readonly LaneChanges[]): ObservedOverlap[] {
  const order = new Map(lanes.map((lane, index) => [lane.id, index]));
  const lanesOf = new Map<string, string[]>();
  for (const lane of lanes) {
    for (const file of new Set(lane.files.map(normalize))) {
      const ids = lanesOf.get(file) ?? [];
      ids.push(lane.id);
      lanesOf.set(file, ids);
    }
  }
  const shared = new Map<string, ObservedOverlap>();
  for (const [file, ids] of lanesOf) {
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const key = `${ids[i]}\0${ids[j]}`;
        const pair = shared.get(key) ?? { a: ids[i]!, b: ids[j]!, files: [] };
        pair.files.push(file);
        shared.set(key, pair);
      }
    }
  }
  return [...shared.values()]
    .map((pair) => ({ ...pair, files: pair.files.sort() }))
    .sort((x, y) => order.get(x.a)! - order.get(y.a)! || order.get(x.b)! - order.get(y.b)!);
}

/**
 * What `now` says that `before` did not: each pair with only its newly shared files, so that a
 * warning is given once per pair and file rather than after every phase.
 */
export function newOverlaps(
  before: readonly ObservedOverlap[],
  now: readonly ObservedOverlap[],
): ObservedOverlap[] {
  const known = new Set(before.flatMap((pair) => pair.files.map((f) => key(pair, f))));
  return now
    .map((pair) => ({ ...pair, files: pair.files.filter((f) => !known.has(key(pair, f))) }))
    .filter((pair) => pair.files.length > 0);
}

function key(pair: ObservedOverlap, file: string): string {
  const [first, second] = pair.a < pair.b ? [pair.a, pair.b] : [pair.b, pair.a];
  return `${first}\0${second}\0${file}`;
}

function normalize(file: string): string {
  return file.startsWith("./") ? file.slice(2) : file;
}
