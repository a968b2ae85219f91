// The agent's final message for a pull request's body, read back from its log: Claude Code's
// closing `result`, Codex's last `agent_message`, nothing from agents that report none.
import { describe, expect, it } from "vitest";
import { finalMessageIn } from "../../src/run/agent-message.js";

const claudeLog = [
  '{"type":"system","subtype":"init","session_id":"s1"}',
  '{"type":"assistant","message":{"content":[{"type":"text","text":"Looking."}]}}',
  "not json at all",
  '{"type":"result","subtype":"success","result":"Added the login endpoint and its tests.","usage":{}}',
].join("\n");

const codexLog = [
  '{"type":"thread.started","thread_id":"t1"}',
  '{"type":"item.completed","item":{"type":"agent_message","text":"First thought."}}',
  '{"type":"item.completed","item":{"type":"command_execution","command":"npm test"}}',
  '{"type":"item.completed","item":{"type":"agent_message","text":"Fixed the redirect."}}',
].join("\n");

describe("finalMessageIn", () => {
  it("takes Claude Code's result", () => {
    expect(finalMessageIn(claudeLog, "claude")).toBe("Added the login endpoint and its tests.");
  });

  it("takes Codex's last agent message", () => {
    expect(finalMessageIn(codexLog, "codex")).toBe("Fixed the redirect.");
  });

  it("gives none for another preset's log, a custom command, or an empty result", () => {
    expect(finalMessageIn(claudeLog, "codex")).toBeUndefined();
    expect(finalMessageIn(claudeLog, "command")).toBeUndefined();
    expect(finalMessageIn('{"type":"result","result":"  "}', "claude")).toBeUndefined();
  });
});
