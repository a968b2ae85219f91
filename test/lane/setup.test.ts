import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LanesError } from "../../src/errors.js";
import {
  type LaneCommandOptions,
  laneCommandArgv,
  runLaneSetup,
  runLaneTeardown,
} from "../../src/lane/setup.js";
import { groupAlive, NODE, tempDir, track } from "../agents/helpers.js";

function options(overrides: Partial<LaneCommandOptions>): LaneCommandOptions {
  const lane = tempDir();
  return {
    command: "true",
    lane,
    env: { LANES_TASK_ID: "login", LANES_PORT: "4110" },
    logPath: join(tempDir(), "logs", "login", "setup.log"),
    timeoutMs: 60_000,
    graceMs: 500,
    onSpawn: track,
    ...overrides,
  };
}

describe("runLaneSetup", () => {
  it("runs a shell string in the lane with the lane's variables, output to its own log", async () => {
    const opts = options({
      command: 'echo "setting up $LANES_TASK_ID" && printf "%s" "$LANES_PORT" > .port',
    });
    const result = await runLaneSetup(opts);
    expect(result.ok).toBe(true);
    expect(readFileSync(join(opts.lane, ".port"), "utf8")).toBe("4110");
    const log = readFileSync(opts.logPath, "utf8");
    expect(log).toContain("$ sh -c 'echo");
    expect(log).toContain("setting up login\n");
  });

  it("runs an argv without a shell", async () => {
    const opts = options({
      command: [NODE, "-e", "require('fs').writeFileSync('ready $HOME', process.cwd())"],
    });
    expect((await runLaneSetup(opts)).ok).toBe(true);
    // `$HOME` reached node as written: no shell expanded it.
    expect(readFileSync(join(opts.lane, "ready $HOME"), "utf8")).toBe(opts.lane);
  });

  it("fails with reason setup, the exit code, the log and its last lines", async () => {
    const opts = options({
      command: "echo 'installing'; echo 'npm ERR! missing: left-pad' >&2; exit 3",
    });
    const result = await runLaneSetup(opts);
    expect(result).toMatchObject({ ok: false, reason: "setup", aborted: false });
    if (result.ok) return;
    expect(result.message).toBe(`the setup exited with code 3 (log: ${opts.logPath})`);
    expect(result.tail).toEqual(["installing", "npm ERR! missing: left-pad"]);
  });

  it("fails when it outlives its timeout, and ends what it started", async () => {
    let pgid = 0;
    const opts = options({
      command: "sleep 60 & wait",
      timeoutMs: 300,
      onSpawn: (pid) => {
        pgid = pid;
        track(pid);
      },
    });
    const result = await runLaneSetup(opts);
    expect(result).toMatchObject({ ok: false, reason: "setup", aborted: false });
    if (!result.ok) expect(result.message).toMatch(/^the setup did not finish within 300ms/);
    expect(groupAlive(pgid)).toBe(false);
  });

  it("is ended by the signal, group and all, and says it was interrupted", async () => {
    const controller = new AbortController();
    let pgid = 0;
    const opts = options({
      command: "echo started; sleep 60 & wait",
      signal: controller.signal,
      onSpawn: (pid) => {
        pgid = pid;
        track(pid);
        controller.abort();
      },
    });
    const result = await runLaneSetup(opts);
    expect(result).toMatchObject({ ok: false, reason: "setup", aborted: true });
    if (!result.ok) expect(result.message).toMatch(/^the setup was interrupted/);
    expect(groupAlive(pgid)).toBe(false);
  });

  it("fails when the program does not exist", async () => {
    const result = await runLaneSetup(options({ command: ["lanes-no-such-program-here"] }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/could not start: command not found/);
  });

  it("refuses an empty command, naming the setting", () => {
    expect(() => laneCommandArgv("  ")).toThrow(LanesError);
    expect(() => laneCommandArgv([], "lane.teardown")).toThrow(/`lane\.teardown`.*got \[\]/);
    expect(laneCommandArgv("npm ci")).toEqual(["sh", "-c", "npm ci"]);
  });
});

describe("runLaneTeardown", () => {
  it("runs in the lane and reports success", async () => {
    const opts = options({ command: "touch torn-down" });
    expect(await runLaneTeardown(opts)).toEqual({ ok: true });
    expect(existsSync(join(opts.lane, "torn-down"))).toBe(true);
  });

  it("is best effort: a failure is reported and logged, never thrown", async () => {
    const failing = options({ command: "exit 1" });
    expect(await runLaneTeardown(failing)).toEqual({
      ok: false,
      message: "the teardown exited with code 1",
    });
    expect(readFileSync(failing.logPath, "utf8")).toContain("the lane is removed all the same");

    const gone = options({ command: "true", lane: join(tempDir(), "removed-lane") });
    const result = await runLaneTeardown(gone);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/does not exist/);

    expect(await runLaneTeardown(options({ command: "" }))).toMatchObject({ ok: false });
  });
});
