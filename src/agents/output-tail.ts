/**
 * The last lines of an agent's output, for failure reasons ("429 rate limited", a stack trace).
 * Keeps only the last few KiB of raw bytes and splits them at the end, so that an agent printing
 * millions of lines costs a memcpy per chunk rather than a string per line (or a buffer per chunk).
 */
const KEEP_BYTES = 16 * 1024;

export class OutputTail {
  /** A ring of the last KEEP_BYTES bytes: each chunk is copied in, nothing is allocated. */
  readonly #ring = Buffer.allocUnsafe(KEEP_BYTES);
  /** Where the next byte goes. */
  #end = 0;
  #size = 0;
  #cut = false;

  push(chunk: Buffer): void {
    let bytes = chunk;
    if (bytes.length > KEEP_BYTES) {
      bytes = bytes.subarray(bytes.length - KEEP_BYTES);
      this.#cut = true;
    }
    const first = Math.min(bytes.length, KEEP_BYTES - this.#end);
    bytes.copy(this.#ring, this.#end, 0, first);
    bytes.copy(this.#ring, 0, first);
    this.#end = (this.#end + bytes.length) % KEEP_BYTES;
    if (this.#size + bytes.length > KEEP_BYTES) this.#cut = true;
    this.#size = Math.min(KEEP_BYTES, this.#size + bytes.length);
  }

  /** The kept bytes, oldest first. */
  #bytes(): Buffer {
    const start = (this.#end - this.#size + KEEP_BYTES) % KEEP_BYTES;
    if (start + this.#size <= KEEP_BYTES) return this.#ring.subarray(start, start + this.#size);
    return Buffer.concat([this.#ring.subarray(start), this.#ring.subarray(0, this.#end)]);
  }

  /** The last `count` non-empty lines, each cut to `maxChars`. */
  lines(count = 20, maxChars = 1_000): string[] {
    const lines = this.#bytes().toString("utf8").split("\n");
    if (this.#cut) lines.shift(); // probably the end of a line whose start was dropped
    return lines
      .map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line))
      .filter((line) => line.trim() !== "")
      .slice(-count)
      .map((line) => (line.length > maxChars ? `${line.slice(0, maxChars)}…` : line));
  }
}
