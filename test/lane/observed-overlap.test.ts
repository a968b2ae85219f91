import { describe, expect, it } from "vitest";
import { newOverlaps, observedOverlaps } from "../../src/lane/observed-overlap.js";

describe("observedOverlaps", () => {
  it("pairs the lanes that changed a common file, with the files", () => {
    const overlaps = observedOverlaps([
      { id: "login", files: ["src/auth.ts", "src/routes.ts", "test/auth.test.ts"] },
      { id: "docs", files: ["README.md"] },
      { id: "session", files: ["src/routes.ts", "src/auth.ts", "src/session.ts"] },
      { id: "api", files: ["./src/routes.ts"] },
    ]);
    expect(overlaps).toEqual([
      { a: "login", b: "session", files: ["src/auth.ts", "src/routes.ts"] },
      { a: "login", b: "api", files: ["src/routes.ts"] },
      { a: "session", b: "api", files: ["src/routes.ts"] },
    ]);
  });

  it("finds nothing when the lanes changed different files or nothing", () => {
    expect(
      observedOverlaps([
        { id: "a", files: ["a.ts"] },
        { id: "b", files: ["b.ts"] },
        { id: "c", files: [] },
      ]),
    ).toEqual([]);
  });
});

describe("newOverlaps", () => {
  it("reports each pair and file once, whichever way round the pair comes", () => {
    const first = [{ a: "x", b: "y", files: ["f.ts"] }];
    const second = [
      { a: "y", b: "x", files: ["f.ts", "g.ts"] },
      { a: "x", b: "z", files: ["f.ts"] },
    ];
    expect(newOverlaps([], first)).toEqual(first);
    expect(newOverlaps(first, second)).toEqual([
      { a: "y", b: "x", files: ["g.ts"] },
      { a: "x", b: "z", files: ["f.ts"] },
    ]);
    expect(newOverlaps(second, second)).toEqual([]);
  });
});
