/**
 * The order in which lanes are made: at most a few at once, and a lane a task waits for to
 * start before lanes prepared ahead of free slots. Making every lane at once (32 at the start of
 * a run at concurrency 16) made each one take as long as all of them, so the first agents
 * started last; in order, the lanes the scheduler starts now are ready first (bench/slots.mjs).
 */

interface Waiting {
  key: string;
  urgent: boolean;
  start: () => void;
}

export class LaneQueue {
  private running = 0;
  private readonly waiting: Waiting[] = [];
  /** Keys waited for before they were queued: they go in as urgent. */
  private readonly hurried = new Set<string>();

  constructor(private readonly limit: number) {}

  /**
   * Runs `make` when a place is free: before every waiting non-urgent one when `urgent`. The
   * key names the lane, so that `hurry` can move a waiting one ahead.
   */
  run<T>(key: string, urgent: boolean, make: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running++;
        make()
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            this.next();
          });
      };
      const first = urgent || this.hurried.has(key);
      this.hurried.delete(key);
      if (this.running < this.limit) start();
      else this.enqueue({ key, urgent: first, start });
    });
  }

  /** A lane made ahead is now waited for: it goes before the others made ahead. */
  hurry(key: string): void {
    const at = this.waiting.findIndex((entry) => entry.key === key);
    if (at === -1) {
      this.hurried.add(key);
      return;
    }
    if (this.waiting[at]!.urgent) return;
    const [entry] = this.waiting.splice(at, 1);
    this.enqueue({ ...entry!, urgent: true });
  }

  private enqueue(entry: Waiting): void {
    if (!entry.urgent) {
      this.waiting.push(entry);
      return;
    }
    // After the urgent ones already waiting, before any made ahead.
    const firstAhead = this.waiting.findIndex((waiting) => !waiting.urgent);
    this.waiting.splice(firstAhead === -1 ? this.waiting.length : firstAhead, 0, entry);
  }

  private next(): void {
    while (this.running < this.limit) {
      const entry = this.waiting.shift();
      if (!entry) return;
      entry.start();
    }
  }
}
