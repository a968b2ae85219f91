// The tail of an agent's output that failure reasons are read from: the last lines, whatever the
// chunking, from a fixed ring of bytes.
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../bench/lib/random-dag.mjs";
import { OutputTail } from "../../src/agents/output-tail.js";

/** What the tail should say: the last lines of the whole text, when it is all kept. */
function lastLines(text: string, count: number): string[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(-count);
}

describe("OutputTail", () => {
  it("gives the last lines however the output was chunked", () => {
    const random = mulberry32(7);
    for (let round = 0; round < 50; round++) {
      const lines = Array.from(
        { length: 200 + Math.floor(random() * 3000) },
        (_, i) => `line ${round}.${i} ${"x".repeat(Math.floor(random() * 80))}`,
      );
      const text = `${lines.join("\n")}\n`;
      const bytes = Buffer.from(text);
      const tail = new OutputTail();
      for (let at = 0; at < bytes.length; ) {
        const size = 1 + Math.floor(random() * (random() < 0.1 ? 40_000 : 700));
        tail.push(bytes.subarray(at, at + size));
        at += size;
      }
      expect(tail.lines(20)).toEqual(lastLines(text, 20));
    }
  });

  it("keeps short output whole, and drops the cut first line of long output", () => {
    const short = new OutputTail();
    short.push(Buffer.from("one\ntwo\n"));
    expect(short.lines()).toEqual(["one", "two"]);
    const long = new OutputTail();
    long.push(Buffer.from(`${"a".repeat(20_000)}\nlast\n`));
    expect(long.lines()).toEqual(["last"]);
  });
});
