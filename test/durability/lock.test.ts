// One run at a time per repository: a live holder is named, a dead holder's lock is taken over,
// and processes racing for a stale lock never both win.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os, { hostname } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireRepoLock, lockPath, readLock } from "../../src/state/lock.js";

const LOCK_MODULE = path.resolve(import.meta.dirname, "../../dist/state/lock.js");
let dirs: string[] = [];

async function tempRoot(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "lanes-lock-"));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  dirs = [];
});

/** A pid that belonged to a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid!;
}

async function writeStaleLock(root: string): Promise<void> {
  await mkdir(path.dirname(lockPath(root)), { recursive: true });
  const stale = {
    pid: await deadPid(),
    startTicks: 1,
    hostname: hostname(),
    runId: "dead-run",
    since: 0,
    token: "stale",
  };
  await writeFile(lockPath(root), JSON.stringify(stale));
}

/** Starts `count` processes at once that each try to take the lock and hold it for a moment. */
async function race(root: string, count: number): Promise<string[]> {
  const script = `
    const { acquireRepoLock } = await import(${JSON.stringify(LOCK_MODULE)});
    try {
      const lock = await acquireRepoLock(${JSON.stringify(root)}, "racer-" + process.pid);
      const from = Date.now();
      await new Promise((r) => setTimeout(r, 300));
      process.stdout.write("won " + from + " " + Date.now());
      await lock.release();
    } catch (error) {
      process.stdout.write(error.code === "E_LOCKED" ? "locked" : "error " + error.message);
    }`;
  const runs = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script]);
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    return new Promise<string>((resolve) => child.on("close", () => resolve(out)));
  });
  return Promise.all(runs);
}

describe("the repository lock", () => {
  it("refuses a second holder and names the first", async () => {
    const root = await tempRoot();
    const lock = await acquireRepoLock(root, "run-a");
    const error = await acquireRepoLock(root, "run-b").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "E_LOCKED", exitCode: 2 });
    expect((error as Error).message).toContain("run run-a");
    expect((error as Error).message).toContain(`pid ${process.pid}`);
    await lock.release();
    const again = await acquireRepoLock(root, "run-c");
    expect((await readLock(root))?.runId).toBe("run-c");
    await again.release();
    expect(await readLock(root)).toBeUndefined();
  });

  it("takes over the lock of a holder that died", async () => {
    const root = await tempRoot();
    await writeStaleLock(root);
    const lock = await acquireRepoLock(root, "run-new");
    expect(JSON.parse(await readFile(lockPath(root), "utf8")).runId).toBe("run-new");
    await lock.release();
  });

  it("never lets two of eight processes racing for a stale lock hold it at once", async () => {
    for (let round = 0; round < 5; round++) {
      const root = await tempRoot();
      await writeStaleLock(root);
      const outcomes = await race(root, 8);
      expect(
        outcomes.filter((o) => !o.startsWith("won ") && o !== "locked"),
        outcomes.join(","),
      ).toEqual([]);
      // A racer that starts late may win after the first winner released: never while it held.
      const held = outcomes
        .filter((o) => o.startsWith("won "))
        .map((o) => o.split(" ").slice(1).map(Number) as [number, number])
        .sort((a, b) => a[0] - b[0]);
      expect(held.length).toBeGreaterThanOrEqual(1);
      for (let i = 1; i < held.length; i++)
        expect(held[i]![0]).toBeGreaterThanOrEqual(held[i - 1]![1]);
    }
  });
});
