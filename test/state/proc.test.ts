// processesByEnv: one pass over /proc finds live processes by the value of a marker variable,
// only where the variable is a whole entry of their environment.
import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { processesByEnv } from "../../src/state/proc.js";

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

function sleeper(env: Record<string, string>) {
  const child = spawn("sleep", ["30"], { env: { PATH: process.env.PATH ?? "", ...env } });
  children.push(child);
  return child.pid!;
}

describe("processesByEnv", () => {
  it("groups processes by the marker's value, and ignores the name inside another entry", () => {
    const tag = `t${process.pid}-${Date.now()}`;
    const a1 = sleeper({ LANES_TEST_MARK: `${tag}-a` });
    const a2 = sleeper({ LANES_TEST_MARK: `${tag}-a`, OTHER: "1" });
    const b = sleeper({ LANES_TEST_MARK: `${tag}-b` });
    const decoy = sleeper({ NOT_LANES_TEST_MARK: `${tag}-a`, X: `LANES_TEST_MARK=${tag}-a` });
    const found = processesByEnv("LANES_TEST_MARK");
    expect(found.get(`${tag}-a`)?.sort()).toEqual([a1, a2].sort());
    expect(found.get(`${tag}-b`)).toEqual([b]);
    expect([...found.values()].flat()).not.toContain(decoy);
  });
});
