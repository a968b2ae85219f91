// Which tasks a plan or run covers: named ids, labels, --only, and tasks already done.
import { describe, expect, it } from "vitest";
import { LanesError } from "../../src/errors.js";
import { type SelectableTask, selectTasks } from "../../src/graph/select.js";

function task(id: string, dependsOn: string[] = [], extra: Partial<SelectableTask> = {}) {
  return { id, dependsOn, labels: [], status: "ready", ...extra };
}

// schema <- api <- ui; schema <- docs; "setup" is done and required by schema.
const tasks: SelectableTask[] = [
  task("setup", [], { status: "done", labels: ["infra"] }),
  task("schema", ["setup"], { labels: ["db"] }),
  task("api", ["schema"], { labels: ["backend"] }),
  task("ui", ["api"], { labels: ["frontend"] }),
  task("docs", ["schema"], { labels: ["docs", "frontend"] }),
  task("extra", []),
];

describe("selectTasks", () => {
  it("selects every unfinished task when nothing is named, and reports nothing as pulled in", () => {
    expect(selectTasks(tasks, {})).toEqual({
      ids: ["schema", "api", "ui", "docs", "extra"],
      pulledIn: [],
      alreadyDone: [],
      unmetDependencies: [],
    });
  });

  it("pulls in the unfinished dependencies of a named task, and says which", () => {
    expect(selectTasks(tasks, { ids: ["ui"] })).toEqual({
      ids: ["schema", "api", "ui"],
      pulledIn: ["schema", "api"],
      alreadyDone: [],
      unmetDependencies: [],
    });
  });

  it("does not report a named task as pulled in when another named task needs it", () => {
    const selection = selectTasks(tasks, { ids: ["ui", "schema"] });
    expect(selection.ids).toEqual(["schema", "api", "ui"]);
    expect(selection.pulledIn).toEqual(["api"]);
  });

  it("never selects a done task, even when asked for it, but says it is done", () => {
    expect(selectTasks(tasks, { ids: ["setup", "extra"] })).toEqual({
      ids: ["extra"],
      pulledIn: [],
      alreadyDone: ["setup"],
      unmetDependencies: [],
    });
  });

  it("lets a done dependency satisfy its dependents without pulling it in", () => {
    const selection = selectTasks(tasks, { ids: ["schema"] });
    expect(selection.ids).toEqual(["schema"]);
    expect(selection.pulledIn).toEqual([]);
  });

  it("takes exactly the ids given with --only, naming each dependency left unfinished", () => {
    expect(selectTasks(tasks, { ids: ["ui", "docs"], only: true })).toEqual({
      ids: ["ui", "docs"],
      pulledIn: [],
      alreadyDone: [],
      unmetDependencies: [
        { task: "ui", dependency: "api" },
        { task: "docs", dependency: "schema" },
      ],
    });
    // A done dependency ("setup") or one selected too ("schema") is met.
    expect(selectTasks(tasks, { ids: ["schema", "api"], only: true }).unmetDependencies).toEqual(
      [],
    );
  });

  it("refuses --only without ids (a usage error)", () => {
    expect(() => selectTasks(tasks, { only: true })).toThrow(
      expect.objectContaining({ code: "E_USAGE", message: expect.stringContaining("--only") }),
    );
  });

  it("selects by label, pulling in dependencies of the labelled tasks", () => {
    expect(selectTasks(tasks, { labels: ["frontend"] })).toEqual({
      ids: ["schema", "api", "ui", "docs"],
      pulledIn: ["schema", "api"],
      alreadyDone: [],
      unmetDependencies: [],
    });
    expect(selectTasks(tasks, { labels: ["frontend"], only: true }).ids).toEqual(["ui", "docs"]);
  });

  it("combines ids and labels as a union", () => {
    expect(selectTasks(tasks, { ids: ["extra"], labels: ["db"] }).ids).toEqual(["schema", "extra"]);
  });

  it("reports a labelled task that is already done", () => {
    expect(selectTasks(tasks, { labels: ["infra"] })).toEqual({
      ids: [],
      pulledIn: [],
      alreadyDone: ["setup"],
      unmetDependencies: [],
    });
  });

  it("refuses a label no task carries, listing the labels there are", () => {
    let error: unknown;
    try {
      selectTasks(tasks, { labels: ["frontend", "nope"] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: "E_USAGE", message: '--label "nope" matches no task' });
    expect((error as LanesError).hint).toBe(
      "labels the tasks carry: backend, db, docs, frontend, infra",
    );
  });

  it("rejects an unknown id, naming it, with a hint", () => {
    let error: unknown;
    try {
      selectTasks(tasks, { ids: ["ui", "nope"] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LanesError);
    expect(error).toMatchObject({ code: "E_TASK_UNKNOWN", message: 'unknown task id "nope"' });
    expect((error as LanesError).hint).toContain("lanes plan");
  });

  it("pulls in a long chain of dependencies transitively", () => {
    const chain = Array.from({ length: 1000 }, (_, i) =>
      task(`t${i}`, i === 0 ? [] : [`t${i - 1}`]),
    );
    const selection = selectTasks(chain, { ids: ["t999"] });
    expect(selection.ids).toHaveLength(1000);
    expect(selection.pulledIn).toHaveLength(999);
    expect(selection.pulledIn[0]).toBe("t0");
  });
});
