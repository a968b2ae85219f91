// What `lanes run` prints: NDJSON only on stdout with --json, prefixed agent lines with --stream,
// one plain line per event without a TTY, and no escape codes under NO_COLOR.
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { readRun, runRepo } from "./helpers.js";

const ESC = "\u001b";

async function smallRepo() {
  return runRepo({
    tasks: { alpha: {}, beta: { deps: ["alpha"] } },
    plan: {
      alpha: { sleepMs: 100, output: "hello from alpha" },
      beta: { sleepMs: 100, output: "hello from beta" },
    },
  });
}

describe("lanes run: output", () => {
  it("--json prints only NDJSON events on stdout and the summary on stderr", async () => {
    const repo = await smallRepo();
    const result = await runCli(["run", "--json"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);

    const lines = result.stdout.split("\n");
    expect(lines.at(-1)).toBe(""); // ends with a newline
    const events = lines.slice(0, -1).map((line) => JSON.parse(line) as Record<string, unknown>);
    const { id: runId, events: logged } = await readRun(repo.root);
    for (const event of events) {
      expect(typeof event.type).toBe("string");
      expect(event.runId).toBe(runId);
      expect(typeof event.time).toBe("number");
    }
    expect(events[0]?.type).toBe("run_started");
    expect(events.at(-1)?.type).toBe("run_finished");
    expect(events).toEqual(logged);
    expect(result.stderr).toMatch(/^Summary: 2 done \(/m);
    expect(result.stdout).not.toContain("Summary:");
  });

  it("--stream prefixes each line of agent output with [id]", async () => {
    const repo = await smallRepo();
    const result = await runCli(["run", "--stream"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines).toContain("[alpha] hello from alpha");
    expect(lines).toContain("[beta] hello from beta");
    // The scripted agent's own "[beta] working..." lines come out prefixed once more.
    expect(lines).toContain("[beta] [beta] working... 100%");
    // The plain event lines are still there.
    expect(lines).toContain("● alpha: exec started");
  });

  it("prints one plain line per event without a TTY", async () => {
    const repo = await smallRepo();
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);
    const { id: runId } = await readRun(repo.root);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(
      new RegExp(`^lanes run ${runId}: 2 tasks, concurrency 3, base main@[0-9a-f]{7}$`),
    );
    expect(lines).toContain("● alpha: exec started");
    expect(lines).toContain("● beta: exec started");
    expect(lines.some((l) => l.startsWith("✓ alpha done ("))).toBe(true);
    expect(lines.some((l) => l.startsWith("✓ beta done ("))).toBe(true);
    expect(lines).toContain(`⇣ alpha merged into lanes/run/${runId}`);
    // No live view without a TTY: no cursor movement, no agent output.
    expect(result.stdout).not.toContain(ESC);
    expect(result.stdout).not.toContain("hello from alpha");
    expect(result.stdout).toMatch(/^Summary: 2 done \(/m);
    expect(result.stdout).toContain(`git merge --ff-only lanes/run/${runId}`);
  });

  it("NO_COLOR=1 gives no escape codes, even with FORCE_COLOR", async () => {
    const colourRepo = await smallRepo();
    const coloured = await runCli(["run", "--stream"], {
      cwd: colourRepo.root,
      env: { NO_COLOR: undefined, FORCE_COLOR: "1" },
    });
    expect(coloured.exitCode).toBe(0);
    expect(coloured.stdout).toContain(ESC); // the check below can see colour

    const repo = await smallRepo();
    const result = await runCli(["run", "--stream"], {
      cwd: repo.root,
      env: { NO_COLOR: "1", FORCE_COLOR: "1" },
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain(ESC);
    expect(result.stderr).not.toContain(ESC);
    expect(result.stdout).toMatch(/^Summary: 2 done \(/m);
  });
});

describe("lanes run with nothing to do", () => {
  it("says so and makes no run, branch or folder", async () => {
    const repo = await runRepo({
      tasks: {},
      files: { ".lanes/tasks/a.md": "---\ntitle: A\nstatus: done\n---\nDone already.\n" },
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("Nothing to run: every task is done already.\n");
    expect(existsSync(path.join(repo.root, ".lanes", "runs"))).toBe(false);
    const branches = await repo.repo.git.run(["for-each-ref", "refs/heads/lanes/"]);
    expect(branches.stdout).toBe("");
  });
});
