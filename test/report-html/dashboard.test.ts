// The live dashboard, as a user meets it: `lanes run --ui` prints a URL, the page in Chromium
// gains bars as the run's tasks finish, a request without the token is refused, and nothing is
// left listening once the run is over; `lanes serve` stops on Ctrl-C.
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { hasBrowser, launchBrowser } from "../helpers/browser.js";
import { runCli, type StartedCli, startCli, type TempRepo } from "../helpers/cli.js";
import { scriptedRepo, task } from "../helpers/scripted-repo.js";

const repos: TempRepo[] = [];
afterAll(async () => {
  for (const repo of repos) await repo.cleanup();
});

async function chainRepo(): Promise<TempRepo> {
  const repo = await scriptedRepo(
    {
      first: task("First step"),
      second: task("Second step", "depends_on: [first]\n"),
      third: task("Third step", "depends_on: [second]\n"),
    },
    // The first task runs long enough for the page to open while it is still at work.
    { first: { sleepMs: 6000 }, "*": { sleepMs: 800 } },
  );
  repos.push(repo);
  return repo;
}

/** Waits (generously) for the `Dashboard: <url>` line. */
async function dashboardUrl(cli: StartedCli): Promise<URL> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const line = /Dashboard: (http\S+)/.exec(cli.stderr() + cli.stdout());
    if (line) return new URL(line[1]!);
    if (Date.now() > deadline)
      throw new Error(`no dashboard URL:\n${cli.stdout()}\n${cli.stderr()}`);
    await sleep(50);
  }
}

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function withoutToken(url: URL, path = "/"): string {
  return `${url.origin}${path}`;
}

describe("lanes run --ui", () => {
  it("refuses requests without the token, and leaves nothing listening after the run", async () => {
    const repo = await chainRepo();
    const cli = startCli(["run", "--ui"], repo.root);
    const url = await dashboardUrl(cli);
    expect(url.hostname).toBe("127.0.0.1");
    expect(url.searchParams.get("token")).toMatch(/^[0-9a-f]{32}$/);
    for (const path of ["/", "/api/runs", "/api/runs/x/stream"]) {
      expect((await fetch(withoutToken(url, path))).status, path).toBe(403);
      expect((await fetch(`${withoutToken(url, path)}?token=${"0".repeat(32)}`)).status).toBe(403);
    }
    expect((await fetch(url)).status).toBe(200);
    const runs = await fetch(`${url.origin}/api/runs?${url.searchParams}`);
    expect(runs.status).toBe(200);
    const exit = await cli.exited;
    expect(exit.code, cli.stderr()).toBe(0);
    expect(cli.stdout()).toMatch(/^Report: .+report\.html$/m);
    expect(await listening(Number(url.port))).toBe(false);
  });
});

describe.skipIf(!hasBrowser)("the dashboard in Chromium", () => {
  it("gains bars as a running run's tasks finish, and shows a task's log on click", async () => {
    const repo = await chainRepo();
    const cli = startCli(["run", "--ui"], repo.root);
    const url = await dashboardUrl(cli);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(url.href);
      // The first task still at work: its bar is open, and nothing is done yet.
      await page.waitForSelector('rect.bar[data-task="first"][data-outcome="open"]');
      expect(await page.locator('rect.bar[data-phase="exec"][data-outcome="ok"]').count()).toBe(0);
      await page.click('tr.task[data-task="first"]');
      await page.waitForFunction(() =>
        document.querySelector("#log-text")?.textContent?.includes("[first] exec attempt 1"),
      );
      // Without a reload, the page gains a finished bar per task, and ends with the run.
      await page.waitForFunction(
        () =>
          document.querySelectorAll('rect.bar[data-phase="exec"][data-outcome="ok"]').length === 3,
        undefined,
        { timeout: 45_000 },
      );
      await page.waitForSelector("h1 .badge.done", { timeout: 30_000 });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
    expect((await cli.exited).code).toBe(0);
    expect(await listening(Number(url.port))).toBe(false);
  });
});

describe("lanes serve", () => {
  it("serves until Ctrl-C, then exits 0 with nothing listening", async () => {
    const repo = await chainRepo();
    const cli = startCli(["serve"], repo.root);
    const url = await dashboardUrl(cli);
    expect((await fetch(withoutToken(url))).status).toBe(403);
    const runs = await fetch(`${url.origin}/api/runs?${url.searchParams}`);
    expect(await runs.json()).toEqual([]);
    cli.child.kill("SIGINT");
    expect((await cli.exited).code).toBe(0);
    expect(await listening(Number(url.port))).toBe(false);
  });

  it("refuses a bad --port with exit 2, naming it", async () => {
    const repo = await chainRepo();
    const result = await runCli(["serve", "--port", "99999"], { cwd: repo.root });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("Invalid --port value: 99999");
  });
});
