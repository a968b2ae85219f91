// The report of a real run, opened in Chromium: every task on the timeline, a failed task's
// reason and log excerpt, a hostile title shown as text; and `lanes report` itself.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasBrowser, launchBrowser } from "../helpers/browser.js";
import { runCli, type TempRepo } from "../helpers/cli.js";
import { scriptedRepo, task } from "../helpers/scripted-repo.js";

const HOSTILE = `</script><img src=x onerror="document.title='pwned'">`;

let repo: TempRepo;
let reportPath: string;
let stdout: string;

beforeAll(async () => {
  repo = await scriptedRepo(
    {
      setup: task("Create the skeleton"),
      models: task("Add the models", "depends_on: [setup]\n"),
      broken: task("A task that fails"),
      after: task("Waits for the broken one", "depends_on: [broken]\n"),
      hostile: task(JSON.stringify(HOSTILE)),
    },
    {
      broken: { exit: 1, output: "compiling the widget\nerror: the widget exploded at line 42" },
    },
    { concurrency: 2 },
  );
  const result = await runCli(["run"], { cwd: repo.root });
  stdout = result.stdout;
  expect(result.exitCode, result.stderr).toBe(1);
  reportPath = /^Report: (.+)$/m.exec(stdout)?.[1] ?? "";
});

afterAll(() => repo?.cleanup());

describe("the end of a run", () => {
  it("writes report.html into the run's folder and prints its path in the summary", () => {
    expect(reportPath).toMatch(/\.lanes\/runs\/[^/]+\/report\.html$/);
    expect(existsSync(reportPath)).toBe(true);
    expect(existsSync(path.join(path.dirname(reportPath), "plan.json"))).toBe(true);
  });
});

describe("lanes report", () => {
  it("writes the latest run's report where -o says, and prints where", async () => {
    const out = path.join(repo.dir, "copy.html");
    const result = await runCli(["report", "-o", out], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${out}\n`);
    expect(readFileSync(out, "utf8")).toContain('id="lanes-data"');
  });

  it("refuses an unknown run and an -o in a missing folder with exit 2, naming them", async () => {
    const unknown = await runCli(["report", "nosuchrun"], { cwd: repo.root });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('no run "nosuchrun"');
    const folder = await runCli(["report", "-o", "missing/dir/r.html"], { cwd: repo.root });
    expect(folder.exitCode).toBe(2);
    expect(folder.stderr).toContain("Invalid --output value: missing/dir/r.html");
    const dir = await runCli(["report", "-o", repo.dir], { cwd: repo.root });
    expect(dir.exitCode).toBe(2);
    expect(dir.stderr).toContain("It is a folder");
  });
});

describe.skipIf(!hasBrowser)("the report in Chromium", () => {
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    page.on("dialog", (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on("request", (request) => {
      if (!request.url().startsWith("file://")) problems.push(`request: ${request.url()}`);
    });
    await page.goto(`file://${reportPath}`);
    await page.waitForSelector("body[data-rendered]");
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("draws every task on the timeline, with a bar for each one that ran", async () => {
    const rows = await page.$$eval("svg.timeline g.row", (gs) =>
      gs.map((g) => g.getAttribute("data-task")),
    );
    expect(rows.sort()).toEqual(["after", "broken", "hostile", "models", "setup"]);
    for (const id of ["setup", "models", "broken", "hostile"]) {
      expect(
        await page.locator(`svg.timeline rect.bar[data-task="${id}"]`).count(),
        id,
      ).toBeGreaterThan(0);
    }
    expect(await page.locator('rect.bar[data-task="broken"][data-outcome="failed"]').count()).toBe(
      1,
    );
    expect(await page.locator("svg.timeline g.row[data-task=after] text.muted").textContent()).toBe(
      "skipped",
    );
  });

  it("shows the failed task's reason and the last lines of its log", async () => {
    const failure = page.locator('tr.failure[data-task="broken"]');
    expect(await failure.locator(".detail").textContent()).toMatch(/^exit: /);
    expect(await failure.locator("pre.log-tail").textContent()).toContain(
      "error: the widget exploded at line 42",
    );
  });

  it("shows a hostile title as text: no element, no script, no request", async () => {
    expect(await page.locator('tr.task[data-task="hostile"] .title').textContent()).toBe(HOSTILE);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.title()).not.toContain("pwned");
    expect(problems).toEqual([]);
  });

  it("marks the critical path and states the makespan against the lower bound", async () => {
    expect(await page.locator("#critical-path").textContent()).toMatch(/^Critical path: /);
    expect(await page.locator("#bound").textContent()).toMatch(
      /^Makespan .+ against the lower bound .+ = max\(critical path .+, work .+ \/ 2 slots\)/,
    );
    expect(await page.locator("svg.graph g.node.crit").count()).toBeGreaterThan(0);
  });
});

describe.skipIf(!hasBrowser)("the demo's report in Chromium", () => {
  it("shows every task's bars on the time axis, the critical path and the summary", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "lanes-demo-report-"));
    const browser = await launchBrowser();
    try {
      const demo = await runCli(["demo", "--dir", path.join(dir, "demo"), "--speed", "0.1"], {
        cwd: dir,
        timeoutMs: 120_000,
      });
      expect(demo.exitCode, demo.stderr).toBe(0);
      const report = /^Report: (.+)$/m.exec(demo.stdout)?.[1];
      expect(report).toBeDefined();
      const page = await browser.newPage();
      await page.goto(`file://${report}`);
      await page.waitForSelector("body[data-rendered]");
      const withBars = await page.$$eval(
        "svg.timeline g.row",
        (rows) =>
          rows.filter((row) => row.querySelector('rect.bar[data-phase="exec"][data-outcome="ok"]'))
            .length,
      );
      expect(withBars).toBe(10);
      expect(await page.locator("svg.timeline .axis text").count()).toBeGreaterThan(2);
      const critical = (await page.locator("#critical-path").textContent())!;
      expect(critical).toMatch(/^Critical path: \S+( → \S+)+$/);
      expect(await page.locator("svg.graph g.node.crit").count()).toBe(
        critical.split(" → ").length,
      );
      expect(await page.locator(".cards .card").first().textContent()).toBe("10 / 10done");
    } finally {
      await browser.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
