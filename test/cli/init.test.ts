// `lanes init` end to end: what it creates, that a second run changes nothing, and that the
// project it sets up plans straight away.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, snapshot, type TempRepo, tempRepo } from "../helpers/cli.js";

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

async function init(root: string) {
  const result = await runCli(["init"], { cwd: root });
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  return result;
}

describe("lanes init", () => {
  it("creates settings with $schema, an example task and .lanes/.gitignore with runs/", async () => {
    repo = await tempRepo();
    const result = await init(repo.root);
    expect(result.stdout).toContain("created  .lanes/settings.json");
    expect(result.stdout).toContain("created  .lanes/.gitignore");
    expect(result.stdout).toContain("created  .lanes/settings.schema.json");
    expect(result.stdout).toContain("created  .lanes/tasks/example.md");

    const settingsFile = path.join(repo.root, ".lanes", "settings.json");
    const settings = JSON.parse(await readFile(settingsFile, "utf8")) as Record<string, unknown>;
    expect(settings).toMatchObject({ concurrency: 3, agent: "claude" });
    expect(settings.$schema).toBe("./settings.schema.json");

    // The schema it points at exists (relative to the settings file), is JSON, and describes the keys.
    const schemaFile = path.resolve(path.dirname(settingsFile), settings.$schema as string);
    expect(existsSync(schemaFile), schemaFile).toBe(true);
    const schema = JSON.parse(await readFile(schemaFile, "utf8")) as {
      properties: Record<string, unknown>;
      additionalProperties?: unknown;
    };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["$schema", "concurrency", "agent"]),
    );
    expect(schema.additionalProperties).toBe(false);

    const ignore = await readFile(path.join(repo.root, ".lanes", ".gitignore"), "utf8");
    expect(ignore.split("\n")).toContain("runs/");

    const example = await readFile(path.join(repo.root, ".lanes", "tasks", "example.md"), "utf8");
    expect(example).toMatch(/^---\ntitle: .+\n/);
  });

  it("writes a $schema that works in any clone of the repository, on any machine", async () => {
    repo = await tempRepo();
    await init(repo.root);
    await repo.repo.git.run(["add", "-A"]);
    await repo.repo.git.run(["commit", "--quiet", "-m", "lanes init"]);
    const clone = path.join(repo.dir, "clone");
    await repo.repo.git.run(["clone", "--quiet", repo.root, clone]);
    const settingsFile = path.join(clone, ".lanes", "settings.json");
    const { $schema } = JSON.parse(await readFile(settingsFile, "utf8")) as { $schema: string };
    expect(path.isAbsolute($schema), $schema).toBe(false);
    const schemaFile = path.resolve(path.dirname(settingsFile), $schema);
    expect(path.relative(clone, schemaFile).startsWith(".."), schemaFile).toBe(false);
    const schema = JSON.parse(await readFile(schemaFile, "utf8")) as { properties: object };
    expect(Object.keys(schema.properties)).toContain("concurrency");
  });

  it("keeps run data out of git", async () => {
    repo = await tempRepo();
    await init(repo.root);
    await mkdir(path.join(repo.root, ".lanes", "runs", "r1"), { recursive: true });
    await writeFile(path.join(repo.root, ".lanes", "runs", "r1", "run.json"), "{}\n");
    const ignored = await repo.repo.git.run(["check-ignore", "-q", ".lanes/runs/r1/run.json"], {
      allowFail: true,
    });
    expect(ignored.exitCode).toBe(0);
    const settingsIgnored = await repo.repo.git.run(
      ["check-ignore", "-q", ".lanes/settings.json"],
      {
        allowFail: true,
      },
    );
    expect(settingsIgnored.exitCode, "settings are meant to be committed").toBe(1);
  });

  it("changes nothing when run a second time", async () => {
    repo = await tempRepo();
    await init(repo.root);
    const before = await snapshot(repo.root);
    const again = await init(repo.root);
    expect(again.stdout).toContain("exists, unchanged  .lanes/settings.json");
    expect(again.stdout).not.toMatch(/^created/m);
    expect(await snapshot(repo.root)).toBe(before);
  });

  it("leaves edited settings and existing tasks alone, and adds no example task", async () => {
    repo = await tempRepo({
      ".lanes/settings.json": '{ "concurrency": 8 }\n',
      ".lanes/tasks/real.md": "---\ntitle: Real work\n---\nDo it.\n",
    });
    await init(repo.root);
    expect(await readFile(path.join(repo.root, ".lanes", "settings.json"), "utf8")).toBe(
      '{ "concurrency": 8 }\n',
    );
    expect(existsSync(path.join(repo.root, ".lanes", "tasks", "example.md"))).toBe(false);
    expect(await readFile(path.join(repo.root, ".lanes", ".gitignore"), "utf8")).toBe("runs/\n");
  });

  it("adds runs/ to an existing .lanes/.gitignore, keeping its lines", async () => {
    repo = await tempRepo({ ".lanes/.gitignore": "scratch/" });
    await init(repo.root);
    expect(await readFile(path.join(repo.root, ".lanes", ".gitignore"), "utf8")).toBe(
      "scratch/\nruns/\n",
    );
    const before = await snapshot(repo.root);
    await init(repo.root);
    expect(await snapshot(repo.root)).toBe(before);
  });

  it("sets up the repository root when run from a subfolder", async () => {
    repo = await tempRepo({ "src/app.ts": "export {};\n" });
    await init(path.join(repo.root, "src"));
    expect(existsSync(path.join(repo.root, ".lanes", "settings.json"))).toBe(true);
    expect(existsSync(path.join(repo.root, "src", ".lanes"))).toBe(false);
  });

  it("is followed by a working `lanes plan`", async () => {
    repo = await tempRepo();
    await init(repo.root);
    const plan = await runCli(["plan"], { cwd: repo.root });
    expect(plan.stderr).toBe("");
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toContain("Plan: 1 task in 1 wave, concurrency 3");
    expect(plan.stdout).toContain("example");
    const json = await runCli(["plan", "--json"], { cwd: repo.root });
    expect(JSON.parse(json.stdout)).toMatchObject({
      tasks: [{ id: "example", depends_on: [], wave: 0 }],
      waves: [["example"]],
      critical_path: ["example"],
    });
  });
});
