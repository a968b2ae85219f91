// Notifications: the `notify` setting's command gets the JSON on stdin, its webhook gets it by
// POST (a local server here), at the run's end and for each failed task; a notification that
// fails is a warning in events.ndjson and never changes the run's outcome; a bad setting is exit 2.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LanesEvent } from "../../src/run/events.js";
import { runCli, type TempRepo } from "../helpers/cli.js";
import { scriptedRepo, task } from "../helpers/scripted-repo.js";

interface Hook {
  url: string;
  bodies: Record<string, unknown>[];
  close: () => Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A webhook receiver on 127.0.0.1 that answers every POST with `status`. */
async function webhook(status: number): Promise<Hook> {
  const bodies: Record<string, unknown>[] = [];
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      if (request.method === "POST" && request.headers["content-type"] === "application/json")
        bodies.push(JSON.parse(body));
      response.writeHead(status).end(status === 200 ? "ok" : "no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const hook = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/SECRET`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  cleanups.push(hook.close);
  return hook;
}

/** A repository whose notify command is a little script that appends its stdin to a file. */
async function repoWith(
  notify: (files: { script: string; out: string }) => Record<string, unknown>,
  plan: Record<string, unknown> = {},
): Promise<{ repo: TempRepo; out: string }> {
  const tasks = {
    good: task("A task that works"),
    broken: task("A task that fails"),
  };
  // The script and its output live outside the repository; their paths are known only then.
  const probe = await scriptedRepo(tasks, plan);
  cleanups.push(probe.cleanup);
  const script = path.join(probe.dir, "to-file.mjs");
  const out = path.join(probe.dir, "notified.ndjson");
  await writeFile(
    script,
    `import { appendFileSync, readFileSync } from "node:fs";\nappendFileSync(process.argv[2], readFileSync(0, "utf8"));\nprocess.exit(Number(process.argv[3] ?? 0));\n`,
  );
  const settingsFile = path.join(probe.root, ".lanes", "settings.json");
  const settings = JSON.parse(readFileSync(settingsFile, "utf8"));
  await writeFile(settingsFile, JSON.stringify({ ...settings, notify: notify({ script, out }) }));
  await probe.repo.git.run(["commit", "--quiet", "-am", "notify"]);
  return { repo: probe, out };
}

/** The events.ndjson of the repository's latest run, as written. */
function eventLog(repo: TempRepo): string {
  const runs = path.join(repo.root, ".lanes", "runs");
  const id = readdirSync(runs)
    .filter((name) => !name.startsWith("."))
    .sort()
    .at(-1)!;
  return readFileSync(path.join(runs, id, "events.ndjson"), "utf8");
}

function events(repo: TempRepo): LanesEvent[] {
  return eventLog(repo)
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LanesEvent);
}

describe("notify", () => {
  it("posts to the webhook and pipes to the command: each failed task, then the run's end", async () => {
    const hook = await webhook(200);
    const { repo, out } = await repoWith(
      ({ script, out }) => ({
        webhook: hook.url,
        command: [process.execPath, script, out],
        onTaskFailed: true,
      }),
      { broken: { exit: 1 } },
    );
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(1);
    const piped = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    for (const received of [hook.bodies, piped]) {
      expect(received.map((body) => body.event)).toEqual(["task_failed", "run_finished"]);
      expect(received[0]).toMatchObject({
        task: { id: "broken", reason: "exit" },
        repository: "repo",
        text: expect.stringContaining("lanes task broken failed in repo"),
      });
      expect(received[1]).toMatchObject({
        status: "failed",
        counts: { done: 1, failed: 1, skipped: 0, pending: 0, running: 0 },
        durationMs: expect.any(Number),
        text: expect.stringMatching(
          /^lanes run \S+ in repo failed: 1 done, 1 failed \(.+\)\. Report: /,
        ),
      });
      expect(existsSync(received[1]!.reportPath as string)).toBe(true);
    }
    expect(events(repo).filter((event) => event.type === "warning")).toEqual([]);
  });

  it("sends only the run's end unless onTaskFailed is set", async () => {
    const hook = await webhook(200);
    const { repo } = await repoWith(() => ({ webhook: hook.url }), { broken: { exit: 1 } });
    expect((await runCli(["run"], { cwd: repo.root })).exitCode).toBe(1);
    expect(hook.bodies.map((body) => body.event)).toEqual(["run_finished"]);
  });

  it("logs a failing webhook or command as a warning and keeps the run's outcome", async () => {
    const hook = await webhook(500);
    const { repo } = await repoWith(({ script, out }) => ({
      webhook: hook.url,
      command: [process.execPath, script, out, "3"],
    }));
    const result = await runCli(["run"], { cwd: repo.root });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain("Summary: 2 done");
    const warnings = events(repo).flatMap((event) =>
      event.type === "warning" ? [event.message] : [],
    );
    const port = new URL(hook.url).port;
    expect(warnings.sort()).toEqual([
      `notify command ${process.execPath} exited with 3`,
      `notify webhook http://127.0.0.1:${port}/… answered 500 Internal Server Error`,
    ]);
    // The webhook's secret path is never written down.
    expect(eventLog(repo)).not.toContain("SECRET");
  });

  it("refuses a notify setting without a target, or with a URL that is not http(s), with exit 2", async () => {
    for (const [notify, says] of [
      [{ onTaskFailed: true }, 'give "command" (an argv array), "webhook" (a URL), or both'],
      [{ webhook: "ftp://example.com/x" }, "expected an http(s) URL"],
    ] as const) {
      const { repo } = await repoWith(() => notify);
      const result = await runCli(["run"], { cwd: repo.root });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("settings.json");
      expect(result.stderr).toContain("notify");
      expect(result.stderr).toContain(says);
    }
  });
});
