// The prompt an agent gets on stdin: the task's title and body verbatim, its id, files and how
// the work is judged; a repository's own template, which must keep the title and the body.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  acceptanceCriteria,
  buildPrompt,
  checkTemplate,
  defaultTemplate,
  loadPromptTemplate,
  loadPromptTemplates,
  PLACEHOLDERS,
} from "../../src/agents/prompt.js";
import type { ResolveInputs } from "../../src/quality/resolve-inputs.js";
import { QA_PROMPT_MARKER } from "../../src/quality/templates.js";
import { parseVerdictFile, parseVerdictMessage } from "../../src/quality/verdict.js";
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

describe("the exec prompt with the quality loop's feedback", () => {
  it("has no feedback section when there is none", () => {
    const prompt = buildPrompt({ task, verify: "npm test" });
    expect(prompt).not.toMatch(/## The plan|## Review findings|## The tests failed/);
    expect(prompt).toContain("- test/auth.test.ts\n\n## How this work is judged");
  });

  it("carries the plan, the review findings and the failing tests before the ground rules", () => {
    const prompt = buildPrompt({
      task,
      verify: "npm test",
      plan: "1. Add src/auth.ts\n2. Test it\n",
      findings: ["src/auth.ts: a wrong password gets 200, not 401", "no test for the lockout"],
      verifyOutput:
        "not ok 3 - rejects a wrong password\n  ---\n  error: 'expected 401, got 200'\n  ...",
    });
    const plan = prompt.indexOf("## The plan\n");
    const findings = prompt.indexOf("## Review findings to fix\n");
    const tests = prompt.indexOf("## The tests failed\n");
    const rules = prompt.indexOf("## How this work is judged");
    expect(plan).toBeGreaterThan(0);
    expect(findings).toBeGreaterThan(plan);
    expect(tests).toBeGreaterThan(findings);
    expect(rules).toBeGreaterThan(tests);
    expect(prompt).toContain("1. Add src/auth.ts\n2. Test it\n");
    expect(prompt).toContain(
      "- src/auth.ts: a wrong password gets 200, not 401\n- no test for the lockout\n",
    );
    expect(prompt).toContain(
      "`npm test` failed after the previous attempt. The failing tests, from its output:\n```\nnot ok 3 - rejects a wrong password\n",
    );
  });

  it("fences test output that itself holds a code fence", () => {
    const prompt = buildPrompt({ task, verify: undefined, verifyOutput: "```\nsnapshot\n```" });
    expect(prompt).toContain("````\n```\nsnapshot\n```\n````");
  });

  it("appends feedback that a repository's exec template leaves out", () => {
    const prompt = buildPrompt(
      {
        task,
        verify: undefined,
        findings: ["add the README section"],
        verifyOutput: "E   assert 1 == 2",
      },
      "Do {{title}}\n{{body}}",
    );
    expect(prompt).toContain("Do Add");
    expect(prompt).toContain("## Review findings to fix");
    expect(prompt).toContain("- add the README section");
    expect(prompt).toContain("E   assert 1 == 2");
  });

  it("puts feedback where a repository's template asks for it, once", () => {
    const prompt = buildPrompt(
      { task, verify: undefined, findings: ["one"] },
      "{{findings}}then {{title}} {{body}}",
    );
    expect(prompt.startsWith("## Review findings to fix")).toBe(true);
    expect(prompt.match(/## Review findings/g)).toHaveLength(1);
  });
});

describe("the spec, qa and resolve prompts", () => {
  const checklistTask: Task = {
    ...task,
    body: "Implement POST /login.\n\n- [ ] returns 401 for a wrong password\n- [x] has a test\n",
  };

  it("spec asks for a plan in $LANES_PLAN_FILE or the final message, and no file change", () => {
    const prompt = buildPrompt({ task, verify: undefined, phase: "spec" });
    expect(prompt).toContain(`# ${task.title}\n\n${task.body}`);
    expect(prompt).toContain("LANES_PLAN_FILE");
    expect(prompt).toContain("change no file");
  });

  it("qa holds the task, its acceptance criteria, the plan and the diff", () => {
    const prompt = buildPrompt({
      task: checklistTask,
      verify: undefined,
      phase: "qa",
      plan: "Add the route.",
      diff: "diff --git a/src/auth.ts b/src/auth.ts\n+export const login = 1;\n",
    });
    expect(prompt.startsWith(`${QA_PROMPT_MARKER} add-login`)).toBe(true);
    expect(prompt).toContain(checklistTask.body);
    expect(prompt).toContain(
      "## Acceptance criteria\n- [ ] returns 401 for a wrong password\n- [x] has a test\n",
    );
    expect(prompt).toContain("and is every acceptance criterion met");
    expect(prompt).toContain("## The plan\n");
    expect(prompt).toContain(
      "```diff\ndiff --git a/src/auth.ts b/src/auth.ts\n+export const login = 1;\n```",
    );
    const plain = buildPrompt({ task, verify: undefined, phase: "qa", diff: "" });
    expect(plain).toContain("(the lane changes no file)");
    expect(plain).not.toContain("acceptance criteri");
  });

  it("qa states the verdict contract in the very forms the verdict reader accepts", () => {
    const prompt = buildPrompt({ task, verify: undefined, phase: "qa" });
    expect(prompt).toContain("LANES_VERDICT_FILE");
    const lines = prompt.split("\n");
    for (const word of ["READY", "NEEDS_WORK", "BLOCKED"]) {
      const line = `VERDICT: ${word}`;
      expect(lines).toContain(line);
      expect(parseVerdictMessage(`- a finding\n${line}`)).toMatchObject({ kind: "verdict" });
    }
    const example = /^\s*(\{"verdict".*\})$/m.exec(prompt)?.[1];
    expect(example).toBeDefined();
    expect(parseVerdictFile(example!, "example")).toMatchObject({
      kind: "verdict",
      verdict: "needs_work",
    });
    for (const word of ['"ready"', '"needs_work"', '"blocked"']) expect(prompt).toContain(word);
    expect(prompt).toContain("Nothing may follow the VERDICT line.");
  });

  it("resolve lists the conflicted files and what each side changed, for both tasks", () => {
    const resolve: ResolveInputs = {
      files: ["prices.txt"],
      mergeBase: "abc",
      lane: {
        ref: "HEAD",
        tasks: [{ id: "add-login", title: task.title, body: task.body }],
        diffs: [{ file: "prices.txt", diff: "-pear = 2\n+pear = 1\n" }],
      },
      incoming: {
        ref: "lanes/run/r1",
        tasks: [{ id: "dear-pear", title: "Raise pear prices", body: "Pear costs 5." }],
        diffs: [{ file: "prices.txt", diff: "-pear = 2\n+pear = 5\n" }],
      },
    };
    const prompt = buildPrompt({ task, verify: "npm test", phase: "resolve", resolve });
    expect(prompt).toContain("these files conflict:\n\n- prices.txt\n");
    expect(prompt).toContain("<<<<<<<, ======= or >>>>>>>");
    expect(prompt).toContain("lanes runs `npm test`");
    const lane = prompt.indexOf("## This lane's side");
    const incoming = prompt.indexOf("## The side being merged in");
    expect(prompt.indexOf("+pear = 1")).toBeGreaterThan(lane);
    expect(prompt.indexOf("+pear = 1")).toBeLessThan(incoming);
    expect(prompt.indexOf("### Task dear-pear: Raise pear prices")).toBeGreaterThan(incoming);
    expect(prompt.indexOf("+pear = 5")).toBeGreaterThan(incoming);
  });

  it("reads the acceptance criteria from a Markdown checklist only", () => {
    expect(acceptanceCriteria("- [ ] a\n* [X] b\n- not a box\n  - [ ] nested\n[ ] bare")).toEqual([
      "- [ ] a",
      "* [X] b",
      "- [ ] nested",
    ]);
  });

  it("every default template uses only known placeholders and keeps what its phase needs", () => {
    for (const phase of ["spec", "exec", "qa", "resolve"] as const) {
      expect(() => checkTemplate(defaultTemplate(phase), `default ${phase}`, phase)).not.toThrow();
    }
    expect(PLACEHOLDERS).toEqual(
      expect.arrayContaining(["plan", "findings", "diff", "verify_output"]),
    );
  });
});

describe("a repository's templates", () => {
  it("refuses an unknown placeholder up front, naming the file and line", () => {
    expect(() =>
      checkTemplate("{{title}}\n{{body}}\n{{verify_ouptut}}", ".lanes/prompts/exec.md"),
    ).toThrow(/^\.lanes\/prompts\/exec\.md:3: unknown placeholder \{\{verify_ouptut\}\}$/);
    expect(() => checkTemplate("{{ title }} {{body}}", "qa.md", "qa")).toThrow(
      /unknown placeholder \{\{ title \}\}/,
    );
    expect(() => checkTemplate("{{title}} {{body}} {{plan}} {{nope}}", "x.md")).toThrow(
      expect.objectContaining({
        code: "E_PROMPT",
        exitCode: 2,
        hint: expect.stringContaining("{{verify_output}}"),
      }),
    );
  });

  it("refuses a resolve template that drops the conflicted files", () => {
    expect(() =>
      checkTemplate("Fix {{lane_side}}", ".lanes/prompts/resolve.md", "resolve"),
    ).toThrow(/resolve\.md: the template drops the conflicted files/);
    expect(() => checkTemplate("Fix {{conflicted_files}}", "r.md", "resolve")).not.toThrow();
  });

  it("reads each phase's override, and checks it for its phase", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), "lanes-prompt-"));
    try {
      const dir = path.join(root, ".lanes", "prompts");
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, "qa.md"), "Review {{title}}\n{{body}}\n{{diff}}");
      await writeFile(path.join(dir, "spec.md"), "Plan {{title}}\n{{body}}");
      const templates = await loadPromptTemplates(root, ["spec", "exec", "qa", "resolve"]);
      expect(templates).toEqual({
        spec: "Plan {{title}}\n{{body}}",
        qa: "Review {{title}}\n{{body}}\n{{diff}}",
      });
      const qa = buildPrompt({ task, verify: undefined, phase: "qa", diff: "+x\n" }, templates.qa);
      expect(qa).toContain("Review Add");
      expect(qa).toContain("```diff\n+x\n```");
      await writeFile(path.join(dir, "resolve.md"), "{{title}} {{body}}");
      await expect(loadPromptTemplates(root, ["resolve"])).rejects.toThrow(
        /^\.lanes\/prompts\/resolve\.md: the template drops the conflicted files/,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
