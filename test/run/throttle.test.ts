// The throttle on its own: additive increase, multiplicative decrease, one cut per burst of rate
// limits within the cool-down. Pure (the caller passes the time), so each row is a little story.
import { describe, expect, it } from "vitest";
import { Throttle } from "../../src/run/throttle.js";

type Step = [what: "429" | "ok", at: number, expect: number | undefined];

describe("Throttle", () => {
  it.each<[string, number, number, Step[]]>([
    ["a rate limit halves the limit", 8, 1_000, [["429", 0, 4]]],
    [
      "halving rounds down and never goes below 1",
      3,
      10,
      [
        ["429", 0, 1],
        ["429", 100, undefined],
      ],
    ],
    [
      "a burst of 429s within the cool-down is one cut",
      8,
      1_000,
      [
        ["429", 0, 4],
        ["429", 500, undefined],
        ["429", 999, undefined],
        ["429", 1_000, 2],
      ],
    ],
    [
      "successes within the cool-down raise nothing",
      8,
      1_000,
      [
        ["429", 0, 4],
        ["ok", 10, undefined],
        ["ok", 999, undefined],
      ],
    ],
    [
      "after the cool-down each success raises it by one, up to the configured limit",
      4,
      1_000,
      [
        ["429", 0, 2],
        ["ok", 1_000, 3],
        ["ok", 1_001, 4],
        ["ok", 1_002, undefined],
      ],
    ],
    ["a success at the configured limit changes nothing", 4, 1_000, [["ok", 0, undefined]]],
    [
      "a cool-down of 0 cuts on every rate limit",
      16,
      0,
      [
        ["429", 0, 8],
        ["429", 0, 4],
        ["ok", 0, 5],
      ],
    ],
    ["a limit of 1 has nothing to cut", 1, 1_000, [["429", 0, undefined]]],
  ])("%s", (_, limit, coolDownMs, steps) => {
    const throttle = new Throttle(limit, coolDownMs);
    for (const [what, at, expected] of steps) {
      const before = throttle.current;
      const next = what === "429" ? throttle.rateLimited(at) : throttle.succeeded(at);
      expect(next, `${what} at ${at} ms`).toBe(expected);
      expect(throttle.current).toBe(expected ?? before);
    }
  });
});
