/**
 * Port blocks for lanes: each running lane gets `size` consecutive ports (LANES_PORT is the
 * first), so that four lanes' dev servers do not all fight over 3000. Blocks sit at
 * `base + k * size`: predictable numbers a user can read in `lanes status`. A block is given
 * only when no other lane holds it and every port in it binds on this machine right now (a port
 * held by another program skips its whole block); it is held until the lane releases it.
 * Bookkeeping only, apart from the bind check, which the caller may replace.
 */
import { LanesError, show } from "../errors.js";
import { isPortFree } from "./port-check.js";

export interface PortBlock {
  /** LANES_PORT. */
  first: number;
  last: number;
}

export interface PortPoolOptions {
  /** `lane.portBase`: the first port of the first block. Default 4100. */
  base?: number;
  /** `lane.ports`: ports per block. Default 10. */
  size?: number;
  /** Whether a port is free on the machine; by default, by binding it. */
  isFree?: (port: number) => Promise<boolean>;
}

export const DEFAULT_PORT_BASE = 4100;
export const DEFAULT_PORTS_PER_LANE = 10;
const MAX_PORT = 65_535;

export class PortPool {
  readonly base: number;
  readonly size: number;
  readonly #isFree: (port: number) => Promise<boolean>;
  /** Block index -> the lane holding it (or being checked for it). */
  readonly #holder = new Map<number, string>();
  readonly #blockOf = new Map<string, number>();
  /** Allocations under way, so that asking twice for one lane gives one block. */
  readonly #pending = new Map<string, Promise<PortBlock>>();

  constructor(options: PortPoolOptions = {}) {
    this.base = options.base ?? DEFAULT_PORT_BASE;
    this.size = options.size ?? DEFAULT_PORTS_PER_LANE;
    this.#isFree = options.isFree ?? isPortFree;
    checkInteger("lane.portBase", this.base, 1, MAX_PORT);
    checkInteger("lane.ports", this.size, 1, MAX_PORT - this.base + 1);
  }

  /** The lowest free block for the lane (its own, if it already holds one). */
  allocate(laneId: string): Promise<PortBlock> {
    const held = this.#blockOf.get(laneId);
    if (held !== undefined) return Promise.resolve(this.#block(held));
    const pending = this.#pending.get(laneId) ?? this.#find(laneId);
    this.#pending.set(laneId, pending);
    return pending.finally(() => this.#pending.delete(laneId));
  }

  async #find(laneId: string): Promise<PortBlock> {
    const busy = new Set<number>();
    for (;;) {
      const index = this.#lowestUnheld(busy);
      if (index === undefined) throw this.#exhausted(busy.size);
      // Reserved before the (asynchronous) bind check, so that a lane allocating at the same
      // time moves on to the next block instead of checking this one too.
      this.#holder.set(index, laneId);
      if (await this.#allFree(index)) {
        this.#blockOf.set(laneId, index);
        return this.#block(index);
      }
      this.#holder.delete(index);
      busy.add(index);
    }
  }

  /** The lane ended: its block may go to the next lane. Releasing twice does nothing. */
  release(laneId: string): void {
    const index = this.#blockOf.get(laneId);
    if (index === undefined) return;
    this.#blockOf.delete(laneId);
    this.#holder.delete(index);
  }

  blockOf(laneId: string): PortBlock | undefined {
    const index = this.#blockOf.get(laneId);
    return index === undefined ? undefined : this.#block(index);
  }

  /** Every lane's block, lowest first: for run.json and `lanes status`. */
  get held(): Array<{ laneId: string } & PortBlock> {
    return [...this.#blockOf]
      .sort((x, y) => x[1] - y[1])
      .map(([laneId, index]) => ({ laneId, ...this.#block(index) }));
  }

  get blockCount(): number {
    return Math.floor((MAX_PORT - this.base + 1) / this.size);
  }

  #block(index: number): PortBlock {
    const first = this.base + index * this.size;
    return { first, last: first + this.size - 1 };
  }

  #lowestUnheld(skip: ReadonlySet<number>): number | undefined {
    for (let index = 0; index < this.blockCount; index++) {
      if (!this.#holder.has(index) && !skip.has(index)) return index;
    }
    return undefined;
  }

  async #allFree(index: number): Promise<boolean> {
    const { first, last } = this.#block(index);
    for (let port = first; port <= last; port++) {
      if (!(await this.#isFree(port))) return false;
    }
    return true;
  }

  #exhausted(busy: number): LanesError {
    return new LanesError(
      "E_SETTINGS",
      `No free block of ${this.size} ports from ${this.base} to ${MAX_PORT}: ` +
        `${this.#blockOf.size} held by lanes, ${busy} in use by other programs.`,
      {
        hint: "Lower `lane.ports` or the concurrency, or move `lane.portBase` to a quieter range.",
        exitCode: 1,
      },
    );
  }
}

/** The variables a lane's agent, setup and dev server see; PORT unless the settings say not. */
export function portEnv(block: PortBlock, setPort = true): Record<string, string> {
  const env: Record<string, string> = {
    LANES_PORT: String(block.first),
    LANES_PORT_LAST: String(block.last),
  };
  if (setPort) env.PORT = String(block.first);
  return env;
}

function checkInteger(key: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new LanesError(
      "E_SETTINGS",
      `Expected \`${key}\` to be an integer from ${min} to ${max}, got ${show(value)}.`,
      { hint: `Set \`${key}\` in .lanes/settings.json to a port number in range.` },
    );
  }
}
