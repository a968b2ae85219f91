/**
 * The child's piped outputs on their way into the log: written with backpressure, copied into
 * the output's tails, and split into lines for whoever listens; and the wait for them to close,
 * which stops waiting when a process that left the group holds them open.
 */
import type { WriteStream } from "node:fs";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { LineSplitter } from "./line-splitter.js";
import type { OutputTail } from "./output-tail.js";

export type OutputStream = "stdout" | "stderr";

/** Once the group is gone, output still open this long without data is held by an escaped process. */
const STDIO_IDLE_MS = 2_000;

/**
 * Streams the child's outputs into the log with backpressure (pipe pauses the child's pipe while
 * the file catches up, so the child blocks instead of lanes buffering) and splits a copy into lines.
 */
export class OutputPump {
  readonly #log: WriteStream;
  readonly #tail: OutputTail | undefined;
  readonly #stderrTail: OutputTail;
  readonly #onLine: ((line: string, stream: OutputStream) => void) | undefined;
  readonly #streams: Readable[] = [];
  readonly #closed: Promise<void>[] = [];
  #lastDataAt = performance.now();

  constructor(
    log: WriteStream,
    tail: OutputTail | undefined,
    stderrTail: OutputTail,
    onLine: ((line: string, stream: OutputStream) => void) | undefined,
  ) {
    this.#log = log;
    this.#tail = tail;
    this.#stderrTail = stderrTail;
    this.#onLine = onLine;
    // A failing log must not stall the child: stop writing, keep reading (and splitting).
    log.once("error", () => {
      for (const stream of this.#streams) {
        stream.unpipe(log);
        stream.resume();
      }
    });
  }

  add(stream: Readable, name: OutputStream): void {
    const onLine = this.#onLine;
    // Splitting costs a string per line: only done when someone listens.
    const splitter = onLine && new LineSplitter((line) => onLine(line, name));
    this.#streams.push(stream);
    stream.pipe(this.#log, { end: false });
    stream.on("data", (chunk: Buffer) => {
      this.#lastDataAt = performance.now();
      this.#tail?.push(chunk);
      if (name === "stderr") this.#stderrTail.push(chunk);
      splitter?.push(chunk);
    });
    stream.on("error", () => {});
    this.#closed.push(
      new Promise((resolve) => {
        stream.once("close", () => {
          splitter?.end();
          resolve();
        });
      }),
    );
  }

  /**
   * Resolves once every output has closed. Called after the group is gone, so an output still
   * open is held by a process that left the group (setsid): after a quiet spell, stop waiting.
   */
  async drained(): Promise<void> {
    const all = Promise.all(this.#closed).then(() => true);
    for (;;) {
      const done = await Promise.race([all, sleep(250).then(() => false)]);
      if (done) return;
      // Waiting on the disk (a full write buffer) is not idleness.
      const idle = !this.#log.writableNeedDrain && performance.now() - this.#lastDataAt;
      if (idle !== false && idle > STDIO_IDLE_MS) {
        this.destroy();
        await all;
        return;
      }
    }
  }

  destroy(): void {
    for (const stream of this.#streams) {
      stream.unpipe(this.#log);
      stream.destroy();
    }
  }
}
