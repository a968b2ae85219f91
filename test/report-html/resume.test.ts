// A report follows a run through an interrupt and `lanes resume`: both write report.html into the
// same run folder, and the resumed report holds the interrupted attempt and the one that finished.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ReportModel } from "../../src/report/html/model.js";
import { formatSummary } from "../../src/report/summary.js";
import { runCli } from "../helpers/cli.js";
import { runRepo, spawnCli, waitForStarts } from "../run/helpers.js";

function modelIn(file: string): ReportModel {
  const html = readFileSync(file, "utf8");
  const data = /<script type="application\/json" id="lanes-data">(.*?)<\/script>/s.exec(html);
  return JSON.parse(data![1]!) as ReportModel;
}

describe("the report of an interrupted and resumed run", () => {
  it("is written by both, and shows the interrupted attempt before the finished one", async () => {
    const repo = await runRepo({
      tasks: { slow: { title: "A slow task" }, quick: { title: "A quick one", deps: ["slow"] } },
      plan: { slow: { sleepMs: 4000 }, "*": { sleepMs: 100 } },
    });
    const lanes = spawnCli(["run"], repo.root);
    await waitForStarts(repo.startsFile, 1);
    lanes.child.kill("SIGINT");
    expect((await lanes.exited).code, lanes.stderr()).toBe(130);
    const first = /^Report: (.+)$/m.exec(lanes.stdout())?.[1];
    expect(first).toBeDefined();
    expect(modelIn(first!).tasks.find((t) => t.id === "slow")!.bars).toEqual([
      ["exec", 1, expect.any(Number), expect.any(Number), "interrupted"],
    ]);

    const resumed = await runCli(["resume", "--yes"], { cwd: repo.root });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(/^Report: (.+)$/m.exec(resumed.stdout)?.[1]).toBe(first);
    const model = modelIn(first!);
    expect(model.run.status).toBe("done");
    const slow = model.tasks.find((t) => t.id === "slow")!;
    expect(slow.bars.map((bar) => [bar[0], bar[4]])).toEqual([
      ["exec", "interrupted"],
      ["exec", "ok"],
      // The landing steps the run reported (task_step): no verify is set, so commit then merge.
      ["commit", "ok"],
      ["merge", "ok"],
    ]);
    expect(model.tasks.find((t) => t.id === "quick")!.bars.length).toBeGreaterThan(0);
  });
});

describe("the summary", () => {
  it("ends with the report's path when there is one", () => {
    const input = { runId: "r1", durationMs: 1000, integrationBranch: "lanes/run/r1", tasks: [] };
    const file = "/repo/.lanes/runs/r1/report.html";
    expect(formatSummary({ ...input, reportPath: file }, { color: false })).toMatch(
      /\nReport: \/repo\/\.lanes\/runs\/r1\/report\.html\n$/,
    );
    expect(formatSummary(input, { color: false })).not.toContain("Report:");
  });
});
