/**
 * Seeded random task graphs for the property tests and `npm run bench`: the same seed gives the
 * same graph on every machine, so a failing case can be replayed from its seed alone. Plain
 * JavaScript (types in random-dag.d.mts) so that the benches run it without a build, and outside
 * src/ because the package has no use for it.
 */

/** mulberry32: a tiny 32-bit PRNG, good enough to vary test graphs, returning [0, 1). */
/** @param {number} seed @returns {() => number} */
export function mulberry32(seed) {
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
/** @param {import("./random-dag.d.mts").RandomDagOptions} options */
export function randomDag(options) {
  const { n, shape, seed, minMs, maxMs } = options;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randomDag: n must be >= 0, got ${n}`);
  if (!(minMs >= 0 && maxMs >= minMs)) {
    throw new RangeError(`randomDag: expected 0 <= minMs <= maxMs, got ${minMs} and ${maxMs}`);
  }
  const random = mulberry32(seed);
  const below = (/** @type {number} */ k) => Math.floor(random() * k);
  const width = String(Math.max(n - 1, 0)).length;
  const ids = Array.from(
    { length: n },
    (_, i) => `t${String(i).padStart(Math.max(width, 3), "0")}`,
  );
  const deps = EDGES[shape](n, random, below);
  return ids.map((id, i) => ({
    id,
    dependsOn: [...new Set(deps[i])].sort((a, b) => a - b).map((d) => ids[d]),
    durationMs: minMs + below(maxMs - minMs + 1),
  }));
}

/** @type {Record<string, (n: number, random: () => number, below: (k: number) => number) => number[][]>} */
const EDGES = {
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
    /** @type {number[][]} */
    const deps = n > 0 ? [[]] : [];
    let root = 0;
    while (deps.length < n) {
      /** @type {number[]} */
      const middles = [];
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
