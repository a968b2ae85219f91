// A custom agent given as a relative path (`./tools/agent.sh`) means a file of the repository,
// wherever lanes is started; and an agent that cannot be found is blamed on where it came from:
// the --agent flag, LANES_AGENT, the settings file's "agent", or the task file's `agent:`.
import { chmod } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findExecutable } from "../../src/agents/presets.js";
import { runCli, snapshot } from "../helpers/cli.js";
import { git, readRun, runIds, runRepo } from "./helpers.js";

// Writes its task's file and exits 0: all an agent needs to do for a task to be done.
const AGENT_SCRIPT = `#!/bin/sh
mkdir -p lanes-out
echo "done by tools/agent.sh" > "lanes-out/$LANES_TASK_ID.txt"
`;

describe("a relative agent command", () => {
  it("runs from the repository root's point of view, from a subfolder too", async () => {
    const repo = await runRepo({
      tasks: { a: {} },
      settings: { agent: { command: ["./tools/agent.sh"] } },
      files: { "tools/agent.sh": AGENT_SCRIPT, "src/keep.txt": "a subfolder\n" },
    });
    await chmod(path.join(repo.root, "tools", "agent.sh"), 0o755);
    await git(repo, ["add", "-A"]);
    await git(repo, ["commit", "--quiet", "-m", "executable agent"]);

    const result = await runCli(["run"], { cwd: path.join(repo.root, "src") });
    expect(result.exitCode, result.stderr).toBe(0);
    const { id, state } = await readRun(repo.root);
    expect(state.tasks.a?.status).toBe("done");
    expect(await git(repo, ["show", `lanes/run/${id}:lanes-out/a.txt`])).toBe(
      "done by tools/agent.sh",
    );
  });
});

function which(program: string): string {
  const found = findExecutable(program, process.env.PATH);
  if (!found) throw new Error(`${program} is not on PATH`);
  return found;
}

describe("an agent that is not there is blamed on where it came from", () => {
  // A PATH with git and node only, so that no codex is found.
  const PATH = [...new Set([path.dirname(process.execPath), path.dirname(which("git"))])].join(
    path.delimiter,
  );

  async function repoWithoutCodex() {
    expect(findExecutable("codex", PATH), "codex must not be next to git or node").toBeUndefined();
    return { repo: await runRepo({ tasks: { a: {} } }), env: { PATH } };
  }

  it("the --agent flag", async () => {
    const { repo, env } = await repoWithoutCodex();
    const before = await snapshot(repo.root);
    const result = await runCli(["run", "--agent", "codex"], { cwd: repo.root, env });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("lanes: agent command not found: codex (the --agent flag)");
    expect(runIds(repo.root)).toEqual([]);
    expect(await snapshot(repo.root)).toBe(before);
  });

  it("the LANES_AGENT environment variable", async () => {
    const { repo, env } = await repoWithoutCodex();
    const result = await runCli(["run"], { cwd: repo.root, env: { ...env, LANES_AGENT: "codex" } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      "lanes: agent command not found: codex (the LANES_AGENT environment variable)",
    );
  });

  it("the settings file and key, with a relative path shown as the repository's file", async () => {
    const repo = await runRepo({
      tasks: { a: {} },
      settings: { agent: { command: ["./tools/missing.sh"] } },
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      `lanes: agent command not found: ${path.join(repo.root, "tools", "missing.sh")} (the "agent" setting in .lanes/settings.json)`,
    );
    expect(result.stderr).toContain("taken from the repository root when relative");
  });

  it("the task file's agent:", async () => {
    const repo = await runRepo({
      tasks: {},
      files: {
        ".lanes/tasks/own.md": "---\ntitle: Own\nagent: { command: [./nope.sh] }\n---\nx\n",
      },
    });
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      `lanes: agent command not found: ${path.join(repo.root, "nope.sh")} (the agent of .lanes/tasks/own.md)`,
    );
  });
});
