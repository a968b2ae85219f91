// The `heartbeat` setting end to end: CI output (not a terminal) prints a heartbeat line after
// that much silence, from the project settings or LANES_HEARTBEAT, not a fixed 60 s.
import { afterEach, describe, expect, it } from "vitest";
import { runCli, type TempRepo } from "../helpers/cli.js";
import { scriptedRepo, task } from "../helpers/scripted-repo.js";

const HEARTBEAT = /^… 0 of 1 done; 1 agent running \(slow \d+s\)$/m;

describe("heartbeat setting", () => {
  let repo: TempRepo | undefined;
  afterEach(async () => {
    await repo?.cleanup();
    repo = undefined;
  });

  it("prints heartbeat lines at the interval the project settings give", async () => {
    repo = await scriptedRepo(
      { slow: task("Slow") },
      { slow: { sleepMs: 4000 } },
      { heartbeat: "1s" },
    );
    const run = await runCli(["run"], { cwd: repo.root });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(HEARTBEAT);
  });

  it("takes LANES_HEARTBEAT over the project settings", async () => {
    repo = await scriptedRepo(
      { slow: task("Slow") },
      { slow: { sleepMs: 4000 } },
      { heartbeat: "1h" },
    );
    const run = await runCli(["run"], { cwd: repo.root, env: { LANES_HEARTBEAT: "1s" } });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(HEARTBEAT);
  });
});
