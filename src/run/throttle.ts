/**
 * Adaptive concurrency under rate limits (additive increase, multiplicative decrease): a rate
 * limit halves the effective limit (at least 1), each success raises it by one, never above the
 * configured limit. One burst of 429s from several agents at once counts as one: after a cut,
 * further rate limits within the cool-down change nothing. Pure: the caller passes the time.
 */
export class Throttle {
  private effective: number;
  private lastCut = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly limit: number,
    private readonly coolDownMs = 5_000,
  ) {
    this.effective = limit;
  }

  get current(): number {
    return this.effective;
  }

  /** The new limit when a rate limit lowered it, else undefined. */
  rateLimited(now: number): number | undefined {
    if (now - this.lastCut < this.coolDownMs || this.effective === 1) return undefined;
    this.lastCut = now;
    this.effective = Math.max(1, Math.floor(this.effective / 2));
    return this.effective;
  }

  /** The new limit when a success raised it, else undefined. */
  succeeded(now: number): number | undefined {
    if (this.effective >= this.limit || now - this.lastCut < this.coolDownMs) return undefined;
    this.effective++;
    return this.effective;
  }
}
