// Task ids made only of digits belong to GitHub issues (`lanes run 12`), so a local task file may
// not use one: the loader refuses it with a hint, and the CLI exits 2 before anything changes.
import { describe, expect, it } from "vitest";
import { LanesError } from "../../src/errors.js";
import { parseTask } from "../../src/tasks/load.js";
import { runCli, snapshot } from "../helpers/cli.js";
import { scriptedRepo, task } from "../helpers/scripted-repo.js";

describe("digit-only local task ids", () => {
  it.each(["12", "007", "0"])("%s.md is refused, naming the file and the way out", (id) => {
    const file = `.lanes/tasks/${id}.md`;
    let error: unknown;
    try {
      parseTask(task("Numbered"), file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LanesError);
    expect((error as LanesError).code).toBe("E_TASK_ID");
    expect((error as LanesError).message).toBe(
      `${file}: "${id}" cannot be a task id: ids made only of digits name GitHub issues`,
    );
    expect((error as LanesError).hint).toBe(
      `rename the file with a letter in its name (e.g. task-${id}.md)`,
    );
  });

  it.each(["12a", "v12", "1.2", "1-2", "12_x"])(
    "%s.md, with digits and more, is still fine",
    (id) => {
      expect(parseTask(task("Fine"), `.lanes/tasks/${id}.md`).id).toBe(id);
    },
  );

  it("lanes run and lanes plan exit 2 before anything starts or changes", async () => {
    const repo = await scriptedRepo({ good: task("Good"), "12": task("Twelve") }, { steps: [] });
    try {
      const before = await snapshot(repo.root);
      for (const command of ["run", "plan"]) {
        const result = await runCli([command], { cwd: repo.root });
        expect(result.exitCode, result.stderr).toBe(2);
        expect(result.stdout).toBe("");
        expect(result.stderr).toContain(
          '.lanes/tasks/12.md: "12" cannot be a task id: ids made only of digits name GitHub issues',
        );
        expect(result.stderr).toMatch(
          /^hint: rename the file with a letter in its name \(e\.g\. task-12\.md\)$/m,
        );
      }
      expect(await snapshot(repo.root)).toBe(before);
    } finally {
      await repo.cleanup();
    }
  });
});
