/**
 * The Redis connection options from a `queue.url`: redis://[user:password@]host:port[/db], and
 * rediss:// for TLS. ioredis reconnects by itself; BullMQ needs `maxRetriesPerRequest: null` so
 * that a command waits for Redis to come back instead of failing, and the backoff here (100 ms
 * doubling to 5 s) is what "retry with backoff" means on both sides.
 */

import { isIP } from "node:net";
import type { ConnectionOptions } from "bullmq";
import type { RedisOptions } from "ioredis";

export function redisOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//, "");
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  return {
    host,
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    // TLS checks the certificate against the host's name (SNI takes names, not addresses).
    ...(parsed.protocol === "rediss:" ? { tls: isIP(host) ? {} : { servername: host } } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(5000, 100 * 2 ** Math.min(times, 6)),
  };
}

/** The URL without its password, for messages and logs. */
export function shownUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

/** The same options as BullMQ takes them (its RedisOptions type is its own, not ioredis's). */
export function bullConnection(url: string): ConnectionOptions {
  return redisOptions(url) as unknown as ConnectionOptions;
}
