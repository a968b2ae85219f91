// Types of random-dag.mjs, for the tests written in TypeScript.
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
export function mulberry32(seed: number): () => number;

/** Tasks in a topological order (dependencies first), ids `t000`, `t001`, ... */
export function randomDag(options: RandomDagOptions): DagTask[];
