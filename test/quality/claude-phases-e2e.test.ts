/**
 * A three-phase task (spec -> exec -> qa) through the built `lanes run` with the real Claude Code
 * CLI (a dev dependency) against the Anthropic stand-in: the spec's plan is Claude's final
 * message and reaches exec's prompt, exec writes a file with a tool call, and qa answers with a
 * final message whose last line is `VERDICT: READY`, which lets the task merge.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { QA_PROMPT_MARKER } from "../../src/quality/templates.js";
import { PROJECT_ROOT, runCli } from "../helpers/cli.js";
import { git, readRun, runRepo } from "../run/helpers.js";
import { startAnthropicStandin } from "../standins/anthropic.js";
import type { Standin } from "../standins/common.js";

const BIN = path.join(PROJECT_ROOT, "node_modules", ".bin");
const IS_ROOT = process.getuid?.() === 0;
const TIMEOUT = 120_000;
const COMMAND = `printf 'written by the stand-in\\n' > "out-$LANES_TASK_ID.txt"`;

const standins: Standin[] = [];
afterEach(async () => {
  for (const standin of standins.splice(0)) await standin.close();
});

describe("lanes run with phases spec, exec, qa and the real Claude Code CLI", () => {
  it(
    "plans, works and merges once qa's final message ends in VERDICT: READY",
    async () => {
      const standin = await startAnthropicStandin({ script: { command: COMMAND } });
      standins.push(standin);
      const repo = await runRepo({ tasks: { feat: {} } });
      const settings = {
        agent: {
          preset: "claude",
          env: {
            ANTHROPIC_BASE_URL: standin.url,
            ANTHROPIC_API_KEY: "test-key",
            CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
            // Claude Code refuses bypassPermissions as root unless it runs in a sandbox.
            ...(IS_ROOT ? { IS_SANDBOX: "1" } : {}),
          },
        },
        phases: ["spec", "exec", "qa"],
        // qa's own model, through the preset's --model flag.
        models: { qa: "claude-qa-model-x" },
      };
      writeFileSync(path.join(repo.root, ".lanes", "settings.json"), JSON.stringify(settings));
      await git(repo, ["add", "-A"]);
      await git(repo, ["commit", "--quiet", "--amend", "--no-edit"]);
      // A home and temp folder of the test's own; nothing says "inside another Claude Code".
      const home = path.join(repo.dir, "home");
      const tmp = path.join(repo.dir, "tmp");
      mkdirSync(home, { recursive: true });
      mkdirSync(tmp, { recursive: true });
      const env = {
        PATH: [BIN, process.env.PATH ?? ""].join(path.delimiter),
        HOME: home,
        TMPDIR: tmp,
        CLAUDECODE: undefined,
        CLAUDE_CODE_ENTRYPOINT: undefined,
      };

      const result = await runCli(["run", "--json"], {
        cwd: repo.root,
        env,
        timeoutMs: TIMEOUT - 15_000,
      });
      expect(result.exitCode, result.stderr).toBe(0);
      const { state, events, dir } = await readRun(repo.root);
      expect(state.tasks.feat?.status).toBe("done");
      expect(events.flatMap((e) => (e.type === "task_started" ? [e.phase] : []))).toEqual([
        "spec",
        "exec",
        "qa",
      ]);
      expect(events.filter((e) => e.type === "qa_verdict")).toMatchObject([
        { verdict: "ready", findings: ["No problems found."] },
      ]);
      // The plan was Claude's final message, kept in the run folder and given to exec.
      const plan = readFileSync(path.join(dir, "quality", "feat", "plan.md"), "utf8");
      expect(plan).toContain("Write standin.txt");
      expect(readFileSync(path.join(dir, "prompts", "feat.exec.1.md"), "utf8")).toContain(
        plan.trim(),
      );
      expect(await git(repo, ["show", `${state.integrationBranch}:out-feat.txt`])).toBe(
        "written by the stand-in",
      );
      expect(standin.counts.toolCalls).toBe(1);
      const models = (marker: string) =>
        standin.requests
          .filter((request) => (JSON.stringify(request.body) ?? "").includes(marker))
          .map((request) => (request.body as { model?: string }).model);
      expect(models(QA_PROMPT_MARKER)).toContain("claude-qa-model-x");
      const exec = models("You are working on task feat");
      expect(exec.length).toBeGreaterThan(0);
      expect(exec).not.toContain("claude-qa-model-x");
    },
    TIMEOUT,
  );
});
