/**
 * The last lines of an agent's output, for failure reasons ("429 rate limited", a stack trace).
 * Keeps only the last few KiB of raw bytes and splits them at the end, so that an agent printing
 * millions of lines costs a memcpy per chunk rather than a string per line.
 */
const KEEP_BYTES = 16 * 1024;

export class OutputTail {
  #chunks: Buffer[] = [];
  #size = 0;
  #cut = false;

  push(chunk: Buffer): void {
    if (chunk.length >= KEEP_BYTES) {
      this.#chunks = [Buffer.from(chunk.subarray(chunk.length - KEEP_BYTES))];
      this.#size = KEEP_BYTES;
      this.#cut = true;
      return;
    }
    // Copied so that the tail never pins the stream's larger read buffers.
    this.#chunks.push(Buffer.from(chunk));
    this.#size += chunk.length;
    while (this.#size - this.#chunks[0]!.length >= KEEP_BYTES) {
      this.#size -= this.#chunks.shift()!.length;
      this.#cut = true;
    }
  }

  /** The last `count` non-empty lines, each cut to `maxChars`. */
  lines(count = 20, maxChars = 1_000): string[] {
    const lines = Buffer.concat(this.#chunks, this.#size).toString("utf8").split("\n");
    if (this.#cut) lines.shift(); // probably the end of a line whose start was dropped
    return lines
      .map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line))
      .filter((line) => line.trim() !== "")
      .slice(-count)
      .map((line) => (line.length > maxChars ? `${line.slice(0, maxChars)}…` : line));
  }
}
