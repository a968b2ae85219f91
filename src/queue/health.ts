/**
 * Whether Redis is there, told once per change: when it goes, a warning and a clock; when it is
 * back, a note and whatever must be checked again (jobs a restarted Redis no longer holds); when
 * it stays away longer than `queue.timeout`, `onGone` (the run stops as interrupted, resumable).
 * ioredis itself reconnects with the backoff of connection.ts.
 */
import type { Redis } from "ioredis";
import { formatDuration } from "../config/duration.js";
import { shownUrl } from "./connection.js";

export interface HealthHooks {
  say: (message: string) => void;
  onBack: () => void;
  onGone?: () => void;
}

export class QueueHealth {
  private downSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Closing the connection on purpose is no outage. */
  private disposed = false;

  constructor(
    redis: Redis,
    private readonly url: string,
    /** Undefined: wait for Redis for ever (a worker), with no `onGone`. */
    private readonly timeoutMs: number | undefined,
    private readonly hooks: HealthHooks,
  ) {
    redis.on("error", (error: Error) => this.down(error.message));
    redis.on("close", () => this.down("connection closed"));
    redis.on("ready", () => this.up());
  }

  get isUp(): boolean {
    return this.downSince === undefined;
  }

  private down(why: string): void {
    if (this.disposed || this.downSince !== undefined) return;
    this.downSince = Date.now();
    const limit =
      this.timeoutMs === undefined
        ? ""
        : `, for up to ${formatDuration(this.timeoutMs)} (queue.timeout)`;
    this.hooks.say(
      `queue ${shownUrl(this.url)} unreachable (${why}); retrying with backoff${limit}`,
    );
    if (this.timeoutMs === undefined) return;
    const timeoutMs = this.timeoutMs;
    this.timer = setTimeout(() => {
      this.hooks.say(
        `queue ${shownUrl(this.url)} gone for ${formatDuration(timeoutMs)}: stopping the run as interrupted; \`lanes resume\` continues it once Redis is back`,
      );
      this.hooks.onGone?.();
    }, timeoutMs);
    this.timer.unref();
  }

  private up(): void {
    if (this.disposed || this.downSince === undefined) return;
    const gone = Date.now() - this.downSince;
    this.downSince = undefined;
    clearTimeout(this.timer);
    this.hooks.say(`queue ${shownUrl(this.url)} is back after ${formatDuration(gone)}`);
    this.hooks.onBack();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
  }
}
