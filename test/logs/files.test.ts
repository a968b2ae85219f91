// Which log `lanes logs` shows and which it lists as the others, by table, without a run folder.

import { describe, expect, it } from "vitest";
import { type LogFile, type LogWanted, otherLogs, pickLog } from "../../src/logs/files.js";
import { parseLogFileName as parseLogName } from "../../src/state/layout.js";

function log(name: string, mtimeMs: number): LogFile {
  const parsed = parseLogName(`${name}.log`)!;
  return { ...parsed, file: `/run/logs/t/${name}.log`, mtimeMs };
}

describe("parseLogName", () => {
  it.each([
    ["exec.1.log", { phase: "exec", attempt: 1 }],
    ["verify.12.log", { phase: "verify", attempt: 12 }],
    ["setup_2-x.3.log", { phase: "setup_2-x", attempt: 3 }],
    ["exec.log", undefined],
    ["exec.1.txt", undefined],
    ["Exec.1.log", undefined],
    [".exec.1.log", undefined],
    ["exec.one.log", undefined],
  ])("%s", (name, expected) => {
    expect(parseLogName(name)).toEqual(expected);
  });
});

describe("pickLog", () => {
  // Two attempts of exec, each followed by verify; in attempt order, as logFiles() sorts them.
  const files = [log("exec.1", 10), log("verify.1", 11), log("exec.2", 20), log("verify.2", 21)];
  const onlyVerify = [log("verify.1", 5), log("verify.2", 6)];

  it.each<[string, LogFile[], LogWanted, string | undefined]>([
    ["the agent's latest attempt by default", files, {}, "exec.2"],
    ["a phase's latest attempt", files, { phase: "verify" }, "verify.2"],
    ["an attempt of the agent", files, { attempt: 1 }, "exec.1"],
    ["a phase and an attempt", files, { phase: "verify", attempt: 1 }, "verify.1"],
    ["no such attempt", files, { attempt: 3 }, undefined],
    ["no such phase", files, { phase: "qa" }, undefined],
    ["without an agent log, the newest phase", onlyVerify, {}, "verify.2"],
    ["without an agent log, that attempt of any phase", onlyVerify, { attempt: 1 }, "verify.1"],
    ["no logs at all", [], {}, undefined],
  ])("%s", (_name, given, wanted, expected) => {
    const picked = pickLog(given, wanted);
    expect(picked && `${picked.phase}.${picked.attempt}`).toBe(expected);
  });
});

describe("otherLogs", () => {
  it("lists every log but the one shown, also when the list was read afresh", () => {
    const files = [log("exec.1", 1), log("exec.2", 2)];
    const shown = pickLog(files, {})!;
    // A follow reads the folder again: equal entries, not the same objects.
    const again = files.map((file) => ({ ...file }));
    expect(otherLogs(files, shown)).toEqual(["exec.1"]);
    expect(otherLogs(again, shown)).toEqual(["exec.1"]);
    expect(otherLogs([{ ...shown }], shown)).toEqual([]);
  });
});
