// The order lanes are made in (lane-queue.ts): a bounded number at once, lanes a starting task
// waits for before lanes prepared ahead, and a lane prepared ahead moved up once it is waited for.
import { describe, expect, it } from "vitest";
import { LaneQueue } from "../../src/run/lane-queue.js";

/** A make() that resolves when told: lets the test decide when each lane is done. */
function gate() {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const make = (key: string) => () =>
    new Promise<string>((resolve) => {
      started.push(key);
      finish.set(key, () => resolve(key));
    });
  return { started, make, done: (key: string) => finish.get(key)!() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("LaneQueue", () => {
  it("makes at most `limit` lanes at once, starting tasks' lanes before those made ahead", async () => {
    const queue = new LaneQueue(2);
    const { started, make, done } = gate();
    const results = [
      queue.run("a1", false, make("a1")),
      queue.run("a2", false, make("a2")),
      queue.run("a3", false, make("a3")),
      queue.run("s1", true, make("s1")),
      queue.run("a4", false, make("a4")),
      queue.run("s2", true, make("s2")),
    ];
    await settle();
    expect(started).toEqual(["a1", "a2"]);
    done("a1");
    await settle();
    expect(started).toEqual(["a1", "a2", "s1"]);
    done("a2");
    done("s1");
    await settle();
    expect(started).toEqual(["a1", "a2", "s1", "s2", "a3"]);
    for (const key of ["s2", "a3"]) done(key);
    await settle();
    done("a4");
    expect(await Promise.all(results)).toEqual(["a1", "a2", "a3", "s1", "a4", "s2"]);
  });

  it("moves a lane made ahead up when its task starts, even before it was queued", async () => {
    const queue = new LaneQueue(1);
    const { started, make, done } = gate();
    void queue.run("busy", false, make("busy"));
    void queue.run("a1", false, make("a1"));
    void queue.run("a2", false, make("a2"));
    queue.hurry("a2");
    queue.hurry("later");
    void queue.run("a3", false, make("a3"));
    void queue.run("later", false, make("later"));
    await settle();
    done("busy");
    await settle();
    expect(started).toEqual(["busy", "a2"]);
    done("a2");
    await settle();
    expect(started).toEqual(["busy", "a2", "later"]);
  });

  it("passes a failure on and frees its place", async () => {
    const queue = new LaneQueue(1);
    await expect(queue.run("x", true, () => Promise.reject(new Error("no lane")))).rejects.toThrow(
      "no lane",
    );
    await expect(queue.run("y", true, () => Promise.resolve("ok"))).resolves.toBe("ok");
  });
});
