// Types of redis.mjs, for the tests written in TypeScript.
import type { ChildProcess } from "node:child_process";

export const REDIS_SERVER: string;

/** A local port nothing listens on right now. */
export function freePort(): Promise<number>;

/**
 * Starts redis-server with `portArgs` (`--port N`, or TLS's) and `more`, bound to 127.0.0.1,
 * without persistence, in `dir`; resolves with the process once it accepts connections.
 */
export function spawnRedis(
  dir: string,
  portArgs: readonly string[],
  more?: readonly string[],
): Promise<ChildProcess>;
