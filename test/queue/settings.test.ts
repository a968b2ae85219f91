// The queue's settings and up-front checks (issue 14): `queue` as a URL or an object, its layers
// merging field by field, and every bad input an error exiting 2 before anything starts.
import { describe, expect, it } from "vitest";
import { queueSettings } from "../../src/config/queue-setting.js";
import {
  applyLayer,
  DEFAULT_SETTINGS,
  type Settings,
  SettingsFileSchema,
} from "../../src/config/schema.js";
import { runCli, tempRepo } from "../helpers/cli.js";

describe("the queue setting", () => {
  it("takes a URL alone or an object, with defaults filled in for use", () => {
    const layer = SettingsFileSchema.parse({ queue: "rediss://:pw@redis.example:6380/2" });
    expect(queueSettings(layer.queue)).toEqual({
      url: "rediss://:pw@redis.example:6380/2",
      remote: "origin",
      timeoutMs: 300_000,
      verifyOn: "workers",
      lockMs: 30_000,
    });
  });

  it("merges layers field by field: a flag's URL keeps the file's remote", () => {
    const settings = { ...DEFAULT_SETTINGS } as Settings;
    applyLayer(settings, SettingsFileSchema.parse({ queue: { remote: "upstream", lock: "5s" } }));
    applyLayer(settings, SettingsFileSchema.parse({ queue: "redis://h:1" }));
    expect(queueSettings(settings.queue)).toMatchObject({
      url: "redis://h:1",
      remote: "upstream",
      lockMs: 5000,
    });
  });

  it.each([
    ["http://h:6379", "redis:// or rediss://"],
    ["redis://h:6379/abc", "database number"],
    ["not a url", "is not a URL"],
  ])("refuses %s", (url, why) => {
    const parsed = SettingsFileSchema.safeParse({ queue: { url } });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain(why);
  });

  it("never shows a password in its error", () => {
    const parsed = SettingsFileSchema.safeParse({ queue: { url: "http://u:secret@h" } });
    expect(JSON.stringify(parsed.error?.issues)).not.toContain("secret");
  });
});

describe("bad queue input exits 2 before anything starts", () => {
  it("a URL that is not redis:// on run, and on worker", async () => {
    const repo = await tempRepo();
    try {
      const run = await runCli(["run", "--queue", "http://h:1"], { cwd: repo.root });
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain("Invalid --queue value: http://h:1");
      const worker = await runCli(["worker", "--queue", "ftp://h"], { cwd: repo.root });
      expect(worker.exitCode).toBe(2);
      expect(worker.stderr).toContain("Invalid --queue value: ftp://h");
      const none = await runCli(["worker"], { cwd: repo.root });
      expect(none.exitCode).toBe(2);
      expect(none.stderr).toContain("needs a queue");
    } finally {
      await repo.cleanup();
    }
  });

  it("a repository without the remote, and a Redis that does not answer", async () => {
    const repo = await tempRepo({
      ".lanes/tasks/a.md": "---\ntitle: A\n---\nDo A.\n",
      ".lanes/settings.json": JSON.stringify({ agent: { command: ["true"] } }),
    });
    try {
      const noRemote = await runCli(["run", "--queue", "redis://127.0.0.1:1"], { cwd: repo.root });
      expect(noRemote.exitCode).toBe(2);
      expect(noRemote.stderr).toContain('no remote "origin"');
      await repo.repo.git.run(["remote", "add", "origin", repo.dir]);
      const unreachable = await runCli(["run", "--queue", "redis://u:secret@127.0.0.1:1"], {
        cwd: repo.root,
      });
      expect(unreachable.exitCode).toBe(2);
      expect(unreachable.stderr).toContain("cannot reach Redis at redis://u:***@127.0.0.1:1");
      expect(unreachable.stderr).not.toContain("secret");
      // Nothing started: no run folder.
      const runs = await repo.repo.git.run(["status", "--porcelain", "--ignored"]);
      expect(runs.stdout).not.toContain(".lanes/runs");
    } finally {
      await repo.cleanup();
    }
  });
});
