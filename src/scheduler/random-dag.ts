/**
 * Seeded random task graphs for the property tests and `npm run bench`: the same seed gives the
 * same graph on every machine, so a failing case can be replayed from its seed alone.
 */
export type DagShape = "wide" | "deep" | "diamonds" | "mixed";

/** A generated task; it fits `simulate`'s `SimTask`. */
export interface DagTask {
  id: string;
  dependsOn: string[];
  durationMs: number;
}

export interface RandomDagOptions {
  n: number;
  shape: DagShape;
  seed: number;
  minMs: number;
  maxMs: number;
}

/** mulberry32: a tiny 32-bit PRNG, good enough to vary test graphs, returning [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Tasks in a topological order (dependencies first), ids `t000`, `t001`, ... */
export function randomDag(options: RandomDagOptions): DagTask[] {
  const { n, shape, seed, minMs, maxMs } = options;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randomDag: n must be >= 0, got ${n}`);
  if (!(minMs >= 0 && maxMs >= minMs)) {
    throw new RangeError(`randomDag: expected 0 <= minMs <= maxMs, got ${minMs} and ${maxMs}`);
  }
  const random = mulberry32(seed);
  const below = (k: number) => Math.floor(random() * k);
  const width = String(Math.max(n - 1, 0)).length;
  const ids = Array.from(
    { length: n },
    (_, i) => `t${String(i).padStart(Math.max(width, 3), "0")}`,
  );
  const deps = EDGES[shape](n, random, below);
  return ids.map((id, i) => ({
    id,
    dependsOn: [...new Set(deps[i])].sort((a, b) => a - b).map((d) => ids[d]!),
    durationMs: minMs + below(maxMs - minMs + 1),
  }));
}

type EdgeMaker = (n: number, random: () => number, below: (k: number) => number) => number[][];

const EDGES: Record<DagShape, EdgeMaker> = {
  // Mostly independent tasks: the case where N tasks should take the time of the slowest.
  wide: (n, random, below) =>
    Array.from({ length: n }, (_, i) => (i > 0 && random() < 0.2 ? [below(i)] : [])),

  // Long chains, now and then joined: the critical path dominates.
  deep: (n, random, below) =>
    Array.from({ length: n }, (_, i) => {
      if (i === 0) return [];
      const deps = random() < 0.85 ? [i - 1] : [];
      if (random() < 0.15) deps.push(below(i));
      return deps;
    }),

  // Fan-out from a root to 2-4 tasks, fan-in to a join that roots the next diamond.
  diamonds: (n, _random, below) => {
    const deps: number[][] = n > 0 ? [[]] : [];
    let root = 0;
    while (deps.length < n) {
      const middles: number[] = [];
      const k = 2 + below(3);
      for (let j = 0; j < k && deps.length < n; j++) {
        middles.push(deps.length);
        deps.push([root]);
      }
      if (deps.length < n) {
        root = deps.length;
        deps.push(middles);
      }
    }
    return deps;
  },

  // 0-3 dependencies on any earlier task.
  mixed: (n, random, below) =>
    Array.from({ length: n }, (_, i) => {
      const count = i === 0 ? 0 : Math.min(i, Math.floor(random() * random() * 4.99));
      return Array.from({ length: count }, () => below(i));
    }),
};
