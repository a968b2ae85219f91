import { describe, expect, it } from "vitest";
import { LineSplitter } from "../../src/agents/line-splitter.js";
import { OutputTail } from "../../src/agents/output-tail.js";

function split(chunks: (string | number[])[], max?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), max);
  for (const chunk of chunks) splitter.push(Buffer.from(chunk as string));
  splitter.end();
  return lines;
}

describe("LineSplitter", () => {
  it("joins lines across chunks and strips \\n and \\r\\n", () => {
    expect(split(["a", "b\nc\r", "\n\n", "d"])).toEqual(["ab", "c", "", "d"]);
    expect(split(["x\n"])).toEqual(["x"]);
    expect(split([])).toEqual([]);
  });

  it("keeps a multi-byte character split across chunks whole", () => {
    const bytes = [...Buffer.from("né🚀\n")];
    expect(split(bytes.map((b) => [b]))).toEqual(["né🚀"]);
  });

  it("replaces bytes that are not UTF-8", () => {
    expect(split([[0x61, 0xff, 0x62, 0x0a, 0xc3]])).toEqual(["a\uFFFDb", "\uFFFD"]);
  });

  it("cuts a line at the cap, whether it arrives in one chunk or many", () => {
    expect(split(["abcdefgh\nxy\n"], 4)).toEqual(["abcd", "xy"]);
    expect(split(["ab", "cd", "ef", "gh\n", "xy"], 4)).toEqual(["abcd", "xy"]);
    expect(split(["abcd", "\nxy"], 4)).toEqual(["abcd", "xy"]);
    expect(split(["abcdef"], 4)).toEqual(["abcd"]);
  });
});

describe("OutputTail", () => {
  it("keeps the last non-empty lines, cut to length", () => {
    const tail = new OutputTail();
    for (let i = 0; i < 50; i++) tail.push(Buffer.from(`line ${i}\r\n\n`));
    tail.push(Buffer.from(`${"w".repeat(3000)}\nlast`));
    const lines = tail.lines(3, 10);
    expect(lines).toEqual(["line 49", `${"w".repeat(10)}…`, "last"]);
  });

  it("stays small and drops the partial first line after a flood", () => {
    const tail = new OutputTail();
    for (let i = 0; i < 10_000; i++) tail.push(Buffer.from(`${i}\n`));
    tail.push(Buffer.alloc(100_000, "q"));
    tail.push(Buffer.from("\nend\n"));
    expect(tail.lines(5)).toEqual(["end"]);
  });
});
