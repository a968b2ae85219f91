// The prompt an agent gets on stdin: the task's title and body verbatim, its id, files and how
// the work is judged; a repository's own template, which must keep the title and the body.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildPrompt, checkTemplate, loadPromptTemplate } from "../../src/agents/prompt.js";
import type { Task } from "../../src/tasks/task.js";

const task: Task = {
  id: "add-login",
  title: 'Add "login" $(touch pwned) `id`',
  body: "Implement POST /login.\nKeep {{id}} and {{title}} as written; `rm -rf /` is text.\n",
  dependsOn: [],
  labels: [],
  status: "ready",
  files: ["src/auth.ts", "test/auth.test.ts"],
  file: ".lanes/tasks/add-login.md",
};

describe("the exec prompt", () => {
  it("holds the title and body verbatim, the id, the files and how the work is judged", () => {
    const prompt = buildPrompt({ task, verify: "npm test" });
    expect(prompt).toContain(`# ${task.title}\n`);
    expect(prompt).toContain(task.body);
    expect(prompt).toContain("task add-login");
    expect(prompt).toContain("- src/auth.ts\n- test/auth.test.ts");
    expect(prompt).toContain("lanes runs `npm test`");
    expect(prompt).toContain("An attempt that changes nothing fails.");
  });

  it("adds the previous attempt's failure on a retry", () => {
    const prompt = buildPrompt({
      task,
      verify: undefined,
      previousFailure: "verify: 2 tests failed",
    });
    expect(prompt).toMatch(/The previous attempt failed\nverify: 2 tests failed/);
  });

  it("fills a template once: placeholders inside the task text stay as they are", () => {
    const prompt = buildPrompt(
      { task, verify: undefined },
      "{{id}}|{{title}}|{{body}}|{{files}}|{{unknown}}",
    );
    expect(prompt.startsWith(`add-login|${task.title}|${task.body}|`)).toBe(true);
    expect(prompt).toContain("Keep {{id}} and {{title}} as written");
    expect(prompt).toContain("{{unknown}}");
  });

  it("refuses a template that drops the title or the body, naming the file", () => {
    expect(() => checkTemplate("{{title}} only", ".lanes/prompts/exec.md")).toThrow(
      /\.lanes\/prompts\/exec\.md: the template drops the task's body/,
    );
    expect(() => checkTemplate("{{body}} only", "x.md")).toThrow(/drops the task's title/);
  });

  it("reads .lanes/prompts/exec.md when the repository has one", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), "lanes-prompt-"));
    try {
      expect(await loadPromptTemplate(root, "exec")).toBeUndefined();
      await mkdir(path.join(root, ".lanes", "prompts"), { recursive: true });
      await writeFile(path.join(root, ".lanes", "prompts", "exec.md"), "Do: {{title}}\n{{body}}");
      expect(await loadPromptTemplate(root, "exec")).toBe("Do: {{title}}\n{{body}}");
      await writeFile(path.join(root, ".lanes", "prompts", "exec.md"), "Do: {{title}}");
      await expect(loadPromptTemplate(root, "exec")).rejects.toMatchObject({
        code: "E_PROMPT",
        exitCode: 2,
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
