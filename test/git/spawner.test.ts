// git through the spawn helper: output, stdin and environment per request, a missing program,
// the fallback when the helper dies, and the helper ending with lanes even after kill -9.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { helperPid, spawnDirect, spawnThroughHelper } from "../../src/git/spawner.js";
import { PROJECT_ROOT } from "../helpers/cli.js";

const base = { cwd: process.cwd(), env: { PATH: process.env.PATH ?? "" }, input: "" };

describe("spawnThroughHelper", () => {
  it("runs a program with the request's own stdin, cwd and environment", async () => {
    const result = await spawnThroughHelper({
      ...base,
      file: "sh",
      args: ["-c", 'printf "%s|%s|" "$GREETING" "$(pwd)"; cat; echo oops >&2; exit 3'],
      cwd: "/tmp",
      env: { ...base.env, GREETING: "hello ünïcode" },
      input: "from stdin\n",
    });
    expect(result).toEqual({
      stdout: "hello ünïcode|/tmp|from stdin\n",
      stderr: "oops\n",
      exitCode: 3,
    });
    expect(helperPid()).toBeGreaterThan(0);
  });

  it("answers many requests at once, each with its own output", async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        spawnThroughHelper({ ...base, file: "sh", args: ["-c", `echo ${i}`] }),
      ),
    );
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 40 }, (_, i) => `${i}\n`));
  });

  it("says why a program cannot be started", async () => {
    const result = await spawnThroughHelper({ ...base, file: "no-such-program-lanes", args: [] });
    expect(result.exitCode).toBeUndefined();
    expect(result.error).toMatch(/ENOENT/);
    expect(await spawnDirect({ ...base, file: "no-such-program-lanes", args: [] })).toMatchObject({
      exitCode: undefined,
    });
  });

  it("falls back to spawning directly when the helper dies, losing no request", async () => {
    await spawnThroughHelper({ ...base, file: "true", args: [] });
    const pid = helperPid()!;
    const slow = spawnThroughHelper({ ...base, file: "sh", args: ["-c", "sleep 0.3; echo late"] });
    process.kill(pid, "SIGKILL");
    expect((await slow).stdout).toBe("late\n");
    expect(
      (await spawnThroughHelper({ ...base, file: "sh", args: ["-c", "echo after"] })).stdout,
    ).toBe("after\n");
  });
});

describe("the helper's life", () => {
  it("ends when lanes is killed with SIGKILL", async () => {
    const script = `
      import { spawnThroughHelper, helperPid } from ${JSON.stringify(path.join(PROJECT_ROOT, "dist", "git", "spawner.js"))};
      await spawnThroughHelper({ file: "true", args: [], cwd: "/", env: { PATH: process.env.PATH }, input: "" });
      console.log(helperPid());
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const [chunk] = (await once(parent.stdout!, "data")) as [Buffer];
    const pid = Number(chunk.toString().trim());
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    parent.kill("SIGKILL");
    await once(parent, "exit");
    const deadline = Date.now() + 5_000;
    while (existsSync(`/proc/${pid}`) && Date.now() < deadline) await sleep(20);
    expect(existsSync(`/proc/${pid}`), `helper ${pid} outlived lanes`).toBe(false);
  });

  it("does not keep a finished program alive", async () => {
    const script = `
      import { spawnThroughHelper } from ${JSON.stringify(path.join(PROJECT_ROOT, "dist", "git", "spawner.js"))};
      const r = await spawnThroughHelper({ file: "git", args: ["--version"], cwd: "/", env: { PATH: process.env.PATH }, input: "" });
      console.log(r.stdout.trim());
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const [code] = (await once(child, "exit")) as [number];
    expect(code).toBe(0);
    expect(out).toMatch(/^git version /);
  });
});
