/**
 * Turns a byte stream into whole lines without trusting it: memory is bounded by one partial line
 * of at most `maxLineBytes` (the rest of a longer line is dropped), and bytes that are not UTF-8
 * become U+FFFD instead of an exception. Lines come out without their "\n" or "\r\n".
 */
export const MAX_LINE_BYTES = 64 * 1024;

const NEWLINE = 0x0a;

export class LineSplitter {
  readonly #onLine: (line: string) => void;
  readonly #maxLineBytes: number;
  #parts: Buffer[] = [];
  #size = 0;
  /** The current line went over the cap: its start was emitted, skip to the next newline. */
  #skipping = false;

  constructor(onLine: (line: string) => void, maxLineBytes = MAX_LINE_BYTES) {
    this.#onLine = onLine;
    this.#maxLineBytes = maxLineBytes;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.#take(chunk.subarray(start));
        return;
      }
      if (this.#size === 0 && !this.#skipping) {
        // The common case, a whole line inside one chunk: decode it in place, no copy.
        const end = Math.min(newline, start + this.#maxLineBytes);
        this.#emitText(chunk.toString("utf8", start, end));
      } else {
        this.#take(chunk.subarray(start, newline));
        if (this.#skipping) this.#skipping = false;
        else this.#emit();
      }
      start = newline + 1;
    }
  }

  /** Emits the last line when the stream ended without a newline. */
  end(): void {
    if (this.#size > 0 && !this.#skipping) this.#emit();
    this.#parts = [];
    this.#size = 0;
    this.#skipping = false;
  }

  #take(bytes: Buffer): void {
    if (this.#skipping || bytes.length === 0) return;
    const room = this.#maxLineBytes - this.#size;
    // Copy: the caller's chunk may be reused, and a small slice must not pin a large buffer.
    this.#parts.push(Buffer.from(bytes.subarray(0, room)));
    this.#size += Math.min(room, bytes.length);
    if (bytes.length >= room) {
      this.#emit();
      this.#skipping = true;
    }
  }

  #emit(): void {
    const bytes = Buffer.concat(this.#parts, this.#size);
    this.#parts = [];
    this.#size = 0;
    this.#emitText(bytes.toString("utf8"));
  }

  #emitText(line: string): void {
    this.#onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  }
}
