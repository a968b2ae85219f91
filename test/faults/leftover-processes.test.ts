// Fault suite, processes that outlive their agent: an agent (or a verify command) that leaves a
// daemon running outside its process group — in a new session (setsid), by a double fork, one
// that ignores SIGTERM, one that cleared its environment — and exits. Whatever the run's end
// (done, failed, interrupted), nothing of it is left running, and the events and the plain lines
// name what lanes had to end.
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { LanesEvent } from "../../src/index.js";
import { runCli } from "../helpers/cli.js";
import { readRun, readStarts, runRepo, waitForStarts, waitGone } from "../run/helpers.js";
import {
  expectNothingRunning,
  expectOnlyMainCheckout,
  type FaultMode,
  startCli,
  useFaultAgent,
} from "./helpers.js";

type Ended = Extract<LanesEvent, { type: "processes_ended" }>;

const ended = (events: LanesEvent[]): Ended[] =>
  events.filter((event): event is Ended => event.type === "processes_ended");

/** Where this machine lets lanes make cgroups: the env-cleared daemon is found only there. */
const CGROUPS = existsSync("/sys/fs/cgroup/unified/cgroup.procs")
  ? "/sys/fs/cgroup/unified"
  : existsSync("/sys/fs/cgroup/cgroup.procs")
    ? "/sys/fs/cgroup"
    : undefined;

describe("processes: an agent leaves a daemon running and exits 0", () => {
  it.each([
    ["setsid sh -c 'sleep 600' (holding its output)", "daemon:setsid:exit0", /sleep 600/],
    ["a double fork", "daemon:double-fork:exit0", /sleep 600/],
    ["a daemon that ignores SIGTERM", "daemon:stubborn:exit0", /process\.on\('SIGTERM'/],
  ] as const)("%s: ended when the attempt ends, and told", async (_, mode, command) => {
    // slow-b works on while a's attempt ends: a's sweep must leave b's agent alone.
    const repo = await runRepo({ tasks: { a: {}, "slow-b": {} }, settings: { concurrency: 2 } });
    await useFaultAgent(repo, mode as FaultMode, { concurrency: 2, gracePeriod: "1s" });

    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode, result.stderr + result.stdout).toBe(0);
    const { id, state, events } = await readRun(repo.root);
    expect(state.status).toBe("done");
    expect(state.tasks.a?.status).toBe("done");
    expect(state.tasks["slow-b"]?.status).toBe("done");

    const daemons = readStarts(repo.startsFile).map((start) => start.child!);
    expect(daemons).toHaveLength(2);
    expect(await waitGone(daemons, 3_000)).toEqual([]);
    await expectNothingRunning(id);

    // Each task's own attempt ended its daemon (not the run's end), and said so.
    for (const [task, daemon] of [
      ["a", daemons[0]],
      ["slow-b", daemons[1]],
    ] as const) {
      const told = ended(events).filter((e) => e.taskId === task);
      expect(told.map((e) => e.source)).toEqual(["agent"]);
      expect(told[0]!.processes.map((p) => p.pid)).toContain(daemon);
      expect(told[0]!.processes.map((p) => p.command).join("\n")).toMatch(command);
      expect(told[0]!.how).toBe(CGROUPS ? "cgroup" : "environment");
      expect(result.stdout).toMatch(
        new RegExp(`^! ${task}: ended \\d+ process(es)? its agent left running: .*${daemon}`, "m"),
      );
    }
    // ... and before the task's merge: nothing of an attempt runs on while its work is landed.
    const endedA = events.findIndex((e) => e.type === "processes_ended" && e.taskId === "a");
    const mergedA = events.findIndex((e) => e.type === "task_merged" && e.taskId === "a");
    expect(endedA).toBeLessThan(mergedA);
    expect(ended(events).filter((e) => e.source === "run")).toEqual([]);
    await expectOnlyMainCheckout(repo);
  });

  it.runIf(CGROUPS)(
    "env -i sleep 600 (no LANES_ marker left): the attempt's cgroup ends it",
    async () => {
      const repo = await runRepo({ tasks: { a: {} } });
      await useFaultAgent(repo, "daemon:env-cleared:exit0", { gracePeriod: "1s" });
      const result = await runCli(["run"], { cwd: repo.root });
      expect(result.exitCode, result.stderr + result.stdout).toBe(0);
      const daemon = readStarts(repo.startsFile)[0]!.child!;
      expect(await waitGone([daemon], 3_000)).toEqual([]);
      const { id, events } = await readRun(repo.root);
      const told = ended(events);
      expect(told.map((e) => [e.taskId, e.source, e.how])).toEqual([["a", "agent", "cgroup"]]);
      expect(told[0]!.processes).toContainEqual({ pid: daemon, command: "sleep 600" });
      // The run's cgroup goes with the run.
      expect(existsSync(`${CGROUPS}/lanes-${id}`)).toBe(false);
    },
  );
});

describe("processes: whatever the run's end, nothing of it is left", () => {
  it("a failed attempt (exit 1 after starting a daemon): ended, the task failed, the run failed", async () => {
    const repo = await runRepo({ tasks: { a: {} } });
    await useFaultAgent(repo, "daemon:setsid:exit1", { gracePeriod: "1s", retries: 0 });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(1);
    const { id, state, events } = await readRun(repo.root);
    expect(state.status).toBe("failed");
    const daemon = readStarts(repo.startsFile)[0]!.child!;
    expect(await waitGone([daemon], 3_000)).toEqual([]);
    await expectNothingRunning(id);
    expect(ended(events).map((e) => [e.taskId, e.source])).toEqual([["a", "agent"]]);
  });

  it("a verify command that leaves a daemon: ended when verify ends, told as its verify's", async () => {
    const repo = await runRepo({ tasks: { a: {} } });
    await useFaultAgent(repo, "copy-stdin", {
      gracePeriod: "1s",
      verify: "setsid sleep 600 >/dev/null 2>&1 & echo verified",
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode, result.stderr + result.stdout).toBe(0);
    const { id, events } = await readRun(repo.root);
    const told = ended(events);
    expect(told.map((e) => [e.taskId, e.source])).toEqual([["a", "verify"]]);
    expect(told[0]!.processes.map((p) => p.command)).toContain("sleep 600");
    expect(result.stdout).toMatch(/^! a: ended 1 process its verify left running: \d+ sleep 600$/m);
    await expectNothingRunning(id);
  });

  it.each([
    ["once", 1],
    ["twice (lanes exits at once)", 2],
  ] as const)(
    "an interrupted run, SIGINT %s while agents hang with their daemons running: exit 130, nothing left",
    async (_, times) => {
      const repo = await runRepo({ tasks: { a: {}, b: {} }, settings: { concurrency: 2 } });
      await useFaultAgent(repo, "daemon:stubborn:hang", { concurrency: 2, gracePeriod: "1s" });
      const lanes = startCli(["run"], repo.root);
      const starts = await waitForStarts(repo.startsFile, 2);
      const { id } = await readRun(repo.root);
      lanes.child.kill("SIGINT");
      if (times === 2) {
        // The second once the first has been taken in: its stopping line is out.
        while (!lanes.stderr().includes("lanes: stopping")) await sleep(20);
        lanes.child.kill("SIGINT");
      }
      const exit = await lanes.exited;
      expect(exit.code, lanes.stderr()).toBe(130);
      const daemons = starts.map((s) => s.child!);
      expect(await waitGone(daemons, 3_000)).toEqual([]);
      await expectNothingRunning(id);
      if (CGROUPS) expect(existsSync(`${CGROUPS}/lanes-${id}`), "the run's cgroup").toBe(false);
      if (times === 1) {
        const { state, events } = await readRun(repo.root);
        expect(state.status).toBe("interrupted");
        const told = ended(events);
        expect(told.map((e) => e.taskId).sort()).toEqual(["a", "b"]);
        expect(told.flatMap((e) => e.processes.map((p) => p.pid)).sort()).toEqual(daemons.sort());
      }
    },
  );
});
