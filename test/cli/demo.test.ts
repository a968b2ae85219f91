// `lanes demo` end to end: the sample run leaves nothing in the temporary folder, after a normal
// end and after Ctrl-C, unless --keep; --keep says where the repository is.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLI, cliEnv, runCli } from "../helpers/cli.js";

describe("lanes demo", () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await realpath(await mkdtemp(path.join(os.tmpdir(), "lanes-demo-test-")));
  });
  afterEach(() => rm(tmp, { recursive: true, force: true }));

  it("removes its temporary repository and worktree folder at the end", async () => {
    const demo = await runCli(["demo", "--speed", "0"], { cwd: tmp, env: { TMPDIR: tmp } });
    expect(demo.exitCode, demo.stdout + demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/^Summary: 10 done/m);
    expect(demo.stdout).toContain(
      "The demo repository is removed now; `lanes demo --keep` keeps it.",
    );
    // Only the report stays, one file of a fixed name that the next demo replaces; it is the
    // last thing the demo prints.
    const report = path.join(tmp, "lanes-demo-report.html");
    expect(await readdir(tmp)).toEqual(["lanes-demo-report.html"]);
    expect(demo.stdout.trimEnd().split("\n").at(-1)).toBe(
      `Report: ${report} (open it in a browser)`,
    );
    expect(await readFile(report, "utf8")).toMatch(/^<!doctype html>/i);
  });

  it("with --keep keeps the repository, says where it is, and leaves no empty folder", async () => {
    const demo = await runCli(["demo", "--speed", "0", "--keep"], {
      cwd: tmp,
      env: { TMPDIR: tmp },
    });
    expect(demo.exitCode, demo.stdout + demo.stderr).toBe(0);
    const where = /^Look around: cd (\S+) && git log/m.exec(demo.stdout)?.[1];
    expect(where).toBeDefined();
    expect(path.dirname(path.dirname(where!))).toBe(tmp);
    expect(existsSync(path.join(where!, ".lanes", "tasks", "app.md"))).toBe(true);
    const [folder] = await readdir(tmp);
    expect(await readdir(tmp)).toEqual([folder]);
    expect(await readdir(path.join(tmp, folder!))).toEqual(["repo"]);
  });

  it("removes its temporary folder after Ctrl-C too", async () => {
    const child = spawn(process.execPath, [CLI, "demo"], {
      cwd: tmp,
      env: cliEnv({ TMPDIR: tmp }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const started = new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("exec started")) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      await started;
      expect(await readdir(tmp)).toHaveLength(1);
      child.kill("SIGINT");
      expect(await exited).toBe(130);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    expect(out).toMatch(/^Summary: /m);
    expect((await readdir(tmp)).filter((name) => name !== "lanes-demo-report.html")).toEqual([]);
  });
});
