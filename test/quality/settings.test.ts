// The quality loop's settings: defaults, the fixed order of phases, loops, the conflict policy and
// a model per phase; and `phases` in a task's front matter.
import { describe, expect, it } from "vitest";
import { PhasesSchema, phasesFor, QualitySettingsSchema } from "../../src/quality/settings.js";
import { parseTask } from "../../src/tasks/load.js";
import { TaskFrontMatterSchema } from "../../src/tasks/schema.js";

function problem(
  schema: { safeParse(v: unknown): { error?: { issues: { message: string }[] } } },
  value: unknown,
) {
  return schema
    .safeParse(value)
    .error?.issues.map((issue) => issue.message)
    .join("; ");
}

describe("quality settings", () => {
  it("default to exec alone, two loops of each kind, conflicts resolved by the agent", () => {
    expect(QualitySettingsSchema.parse({})).toEqual({
      phases: ["exec"],
      qaLoops: 2,
      verifyLoops: 2,
      conflicts: "agent",
      models: {},
    });
  });

  it.each([
    [["exec"], undefined],
    [["spec", "exec"], undefined],
    [["exec", "qa"], undefined],
    [["spec", "exec", "qa"], undefined],
    [[], 'must include "exec"'],
    [["spec", "qa"], 'must include "exec"'],
    [["qa", "exec"], 'phases run in the order spec, exec, qa: write ["exec","qa"]'],
    [["exec", "spec"], 'write ["spec","exec"]'],
    [["exec", "exec"], 'lists "exec" twice'],
    [["exec", "review"], 'unknown phase "review" (allowed: spec, exec, qa)'],
    [["exec", "resolve"], 'unknown phase "resolve"'],
  ])("phases %j: %s", (phases, expected) => {
    const found = problem(PhasesSchema, phases);
    if (expected === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(expected);
  });

  it.each([
    [{ qaLoops: 0 }, undefined],
    [{ qaLoops: 5, verifyLoops: 3 }, undefined],
    [{ qaLoops: -1 }, "qaLoops cannot be negative"],
    [{ verifyLoops: 1.5 }, "verifyLoops must be a whole number"],
    [{ qaLoops: "2" }, "qaLoops must be a whole number of loops"],
    [{ verifyLoops: 100 }, "verifyLoops above 20"],
    [{ conflicts: "fail" }, undefined],
    [{ conflicts: "merge" }, 'conflicts must be "agent" or "fail", got "merge"'],
    [{ models: { spec: "claude-opus-4-1", qa: "claude-sonnet-4-5" } }, undefined],
    [{ models: { resolve: "gpt-5" } }, undefined],
    [{ models: { qa: "" } }, "model name is empty"],
  ])("%j: %s", (settings, expected) => {
    const found = problem(QualitySettingsSchema, settings);
    if (expected === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(expected);
  });

  it("refuses a model for a phase that does not exist", () => {
    expect(QualitySettingsSchema.safeParse({ models: { review: "x" } }).success).toBe(false);
  });

  it("lets a task's own phases win over the settings", () => {
    const settings = QualitySettingsSchema.parse({ phases: ["exec", "qa"] });
    expect(phasesFor({}, settings)).toEqual(["exec", "qa"]);
    expect(phasesFor({ phases: ["spec", "exec"] }, settings)).toEqual(["spec", "exec"]);
  });
});

describe("phases in a task's front matter", () => {
  it("is optional and checked like the setting", () => {
    expect(TaskFrontMatterSchema.parse({ title: "t" }).phases).toBeUndefined();
    expect(TaskFrontMatterSchema.parse({ title: "t", phases: ["exec", "qa"] }).phases).toEqual([
      "exec",
      "qa",
    ]);
    expect(problem(TaskFrontMatterSchema, { title: "t", phases: ["qa"] })).toContain(
      'must include "exec"',
    );
  });
});

describe("phases in a task file", () => {
  const FILE = ".lanes/tasks/login.md";
  const parse = (front: string) => () =>
    parseTask(`---\ntitle: Login\n${front}\n---\nDo it.\n`, FILE);

  it("is a key the task file may hold", () => {
    expect(parse("phases: [spec, exec, qa]")).not.toThrow();
  });

  it("is refused when wrong, naming the file and key, with phases in the hint", () => {
    expect(parse("phases: [qa, exec]")).toThrow(
      expect.objectContaining({
        code: "E_TASK_FIELD",
        message: expect.stringMatching(/^\.lanes\/tasks\/login\.md: phases.*write \["exec","qa"\]/),
      }),
    );
    expect(parse("phases: [review]")).toThrow(
      expect.objectContaining({
        message: expect.stringContaining('unknown phase "review"'),
        hint: expect.stringContaining("phases"),
      }),
    );
  });
});
