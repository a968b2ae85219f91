// `lanes plan` end to end: the built binary in a temporary git repository with a known DAG.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../../bench/lib/random-dag.mjs";
import { runCli, snapshot, type TempRepo, tempRepo } from "../helpers/cli.js";

function task(front: Record<string, string>, body = "Do it.\n"): string {
  const lines = Object.entries(front).map(([key, value]) => `${key}: ${value}`);
  return `---\n${lines.join("\n")}\n---\n${body}`;
}

// setup (done) <- schema <- {api, auth, docs}; {api, auth} <- ui; lint stands alone.
// Estimates put the critical path through schema -> api -> ui (20m + 60m + 40m = 2h).
const KNOWN_DAG = {
  ".lanes/tasks/setup.md": task({ title: "Set up the project", status: "done" }),
  ".lanes/tasks/schema.md": task({
    title: "Database schema",
    depends_on: "[setup]",
    labels: "[db]",
    estimate: "20m",
  }),
  ".lanes/tasks/api.md": task({
    title: "REST API",
    depends_on: "[schema]",
    labels: "[backend]",
    estimate: "1h",
  }),
  ".lanes/tasks/auth.md": task({
    title: "Login and sessions",
    depends_on: "schema",
    labels: "[backend, security]",
    estimate: "30m",
  }),
  ".lanes/tasks/ui.md": task({
    title: "User interface",
    depends_on: "[api, auth]",
    labels: "[frontend]",
    estimate: "40m",
  }),
  ".lanes/tasks/docs.md": task({
    title: "Write the docs",
    depends_on: "[schema]",
    labels: "[docs]",
    estimate: "10m",
  }),
  ".lanes/tasks/lint.md": task({ title: "Lint config", estimate: "5m" }),
};

interface PlanJson {
  tasks: { id: string; title: string; depends_on: string[]; labels: string[]; wave: number }[];
  waves: string[][];
  critical_path: string[];
  pulled_in: string[];
  already_done: string[];
  concurrency: number;
  cost: { critical_path: number; total_work: number; lower_bound: number };
}

let repo: TempRepo;
beforeAll(async () => {
  repo = await tempRepo(KNOWN_DAG);
});
afterAll(async () => {
  await repo?.cleanup();
});

async function planJson(args: string[] = [], env?: Record<string, string>): Promise<PlanJson> {
  const result = await runCli(["plan", "--json", ...args], {
    cwd: repo.root,
    ...(env ? { env } : {}),
  });
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  // Exactly one JSON object, and nothing else on stdout.
  const text = result.stdout.trim();
  expect(text.startsWith("{") && text.endsWith("}")).toBe(true);
  const parsed = JSON.parse(result.stdout) as PlanJson;
  expect(typeof parsed).toBe("object");
  return parsed;
}

describe("lanes plan --json", () => {
  it("prints one JSON object with tasks, waves and the critical path of the known DAG", async () => {
    const plan = await planJson();
    // Tasks in file order (sorted by name), done tasks left out.
    expect(
      plan.tasks.map(({ id, title, depends_on, labels, wave }) => ({
        id,
        title,
        depends_on,
        labels,
        wave,
      })),
    ).toEqual([
      { id: "api", title: "REST API", depends_on: ["schema"], labels: ["backend"], wave: 1 },
      {
        id: "auth",
        title: "Login and sessions",
        depends_on: ["schema"],
        labels: ["backend", "security"],
        wave: 1,
      },
      { id: "docs", title: "Write the docs", depends_on: ["schema"], labels: ["docs"], wave: 1 },
      { id: "lint", title: "Lint config", depends_on: [], labels: [], wave: 0 },
      { id: "schema", title: "Database schema", depends_on: ["setup"], labels: ["db"], wave: 0 },
      {
        id: "ui",
        title: "User interface",
        depends_on: ["api", "auth"],
        labels: ["frontend"],
        wave: 2,
      },
    ]);
    expect(plan.waves).toEqual([["lint", "schema"], ["api", "auth", "docs"], ["ui"]]);
    expect(plan.critical_path).toEqual(["schema", "api", "ui"]);
    expect(plan.concurrency).toBe(3);
    const minute = 60_000;
    expect(plan.cost).toEqual({
      critical_path: 120 * minute,
      total_work: 165 * minute,
      lower_bound: 120 * minute,
    });
  });

  it("pulls in unfinished dependencies of the ids given, and says which", async () => {
    const plan = await planJson(["ui"]);
    expect(plan.tasks.map((t) => t.id)).toEqual(["api", "auth", "schema", "ui"]);
    expect(plan.pulled_in).toEqual(["api", "auth", "schema"]);
    expect(plan.waves).toEqual([["schema"], ["api", "auth"], ["ui"]]);
  });

  it("--only takes exactly the ids given; their waves count only selected dependencies", async () => {
    const plan = await planJson(["ui", "api", "--only"]);
    expect(plan.tasks.map((t) => [t.id, t.wave])).toEqual([
      ["api", 0],
      ["ui", 1],
    ]);
    expect(plan.pulled_in).toEqual([]);
    expect(plan.critical_path).toEqual(["api", "ui"]);
  });

  it("--label selects the tasks that carry a label, with their dependencies", async () => {
    const plan = await planJson(["--label", "security"]);
    expect(plan.tasks.map((t) => t.id)).toEqual(["auth", "schema"]);
    expect(plan.pulled_in).toEqual(["schema"]);
  });

  it("reports a done task that was asked for as already done", async () => {
    const plan = await planJson(["setup"]);
    expect(plan.tasks).toEqual([]);
    expect(plan.already_done).toEqual(["setup"]);
  });

  it("takes concurrency from --concurrency, over LANES_CONCURRENCY", async () => {
    expect((await planJson(["--concurrency", "5"])).concurrency).toBe(5);
    expect((await planJson([], { LANES_CONCURRENCY: "2" })).concurrency).toBe(2);
    const both = await planJson(["-c", "6"], { LANES_CONCURRENCY: "2" });
    expect(both.concurrency).toBe(6);
    expect(both.cost.lower_bound).toBe(120 * 60_000);
    const one = await planJson(["-c", "1"]);
    expect(one.cost.lower_bound).toBe(165 * 60_000); // total work on one agent
  });

  it("works from a subfolder of the repository", async () => {
    const result = await runCli(["plan", "--json"], {
      cwd: path.join(repo.root, ".lanes", "tasks"),
    });
    expect(result.exitCode).toBe(0);
    expect((JSON.parse(result.stdout) as PlanJson).critical_path).toEqual(["schema", "api", "ui"]);
  });
});

describe("lanes plan (human output)", () => {
  it("shows the waves, the critical path and the cost at the configured concurrency", async () => {
    const result = await runCli(["plan"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("");
    const out = result.stdout;
    expect(out).toContain("Plan: 6 tasks in 3 waves, concurrency 3");
    const wave = (n: number) => out.split(`Wave ${n}\n`)[1]!.split(/\nWave |\n\n/)[0]!;
    // Ids padded to the longest one, so that titles line up.
    expect(wave(1)).toMatch(/^ {2}lint {4}Lint config {2}~5m\n {2}schema {2}Database schema/);
    expect(wave(2)).toContain("api     REST API  ~1h  (after schema)");
    expect(wave(2)).toContain("auth    Login and sessions");
    expect(wave(2)).toContain("docs    Write the docs");
    expect(wave(3)).toContain("ui      User interface  ~40m  (after api, auth)");
    expect(out).toContain("Critical path: schema -> api -> ui  (2h)");
    expect(out).toContain(
      "Time at concurrency 3: at least 2h end to end (critical path 2h; total work 2h 45m / 3 agents = 55m)",
    );
    expect(out, "the done task is not planned again").not.toMatch(/^ {2}setup /m);
    // NO_COLOR=1: no escape sequences.
    expect(out).not.toMatch(/\u001b\[/);
  });

  it("says which unfinished dependencies were pulled in", async () => {
    const result = await runCli(["plan", "ui"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("pulled in as unfinished dependencies: api, auth, schema");
  });

  it("costs the plan at the concurrency given", async () => {
    const result = await runCli(["plan", "--concurrency", "1"], { cwd: repo.root });
    expect(result.stdout).toContain("Time at concurrency 1: at least 2h 45m end to end");
  });

  it("counts tasks, not time, when no task has an estimate", async () => {
    const plain = await tempRepo({
      ".lanes/tasks/a.md": task({ title: "A" }),
      ".lanes/tasks/b.md": task({ title: "B", depends_on: "a" }),
      ".lanes/tasks/c.md": task({ title: "C" }),
    });
    try {
      const result = await runCli(["plan"], { cwd: plain.root });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain("Critical path: a -> b  (2 tasks)");
      // Time in task lengths, not a bare "1.5 tasks" that reads as money.
      expect(result.stdout).toContain(
        "Time at concurrency 3: at least 2 task lengths end to end (critical path 2 task lengths; total work 3 task lengths / 3 agents = 1 task length)",
      );
      expect(result.stdout).toContain("estimate: 20m");
    } finally {
      await plain.cleanup();
    }
  });

  it("says there is nothing to run when everything is done", async () => {
    const result = await runCli(["plan", "setup"], { cwd: repo.root });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("Nothing to run");
    expect(result.stdout).toContain("setup");
  });

  it("changes nothing on disk", async () => {
    const before = await snapshot(repo.root);
    await runCli(["plan"], { cwd: repo.root });
    await runCli(["plan", "--json", "ui"], { cwd: repo.root });
    expect(await snapshot(repo.root)).toBe(before);
  });
});

describe("lanes plan --json on a generated DAG", () => {
  it("gives every task its wave and a true longest chain (300 tasks, weighted)", async () => {
    const random = mulberry32(99);
    const below = (k: number) => Math.floor(random() * k);
    const n = 300;
    const ids = Array.from({ length: n }, (_, i) => `g${String((i * 7919) % n).padStart(3, "0")}`);
    const deps = new Map<string, string[]>();
    const minutes = new Map<string, number>();
    const files: Record<string, string> = {};
    ids.forEach((id, i) => {
      const mine = new Set<string>();
      for (let d = i === 0 ? 0 : below(4); d > 0; d--) {
        mine.add(ids[random() < 0.7 ? i - 1 - below(Math.min(i, 15)) : below(i)]!);
      }
      deps.set(id, [...mine]);
      minutes.set(id, 1 + below(90));
      files[`.lanes/tasks/${id}.md`] = task({
        title: `Generated ${id}`,
        depends_on: `[${[...mine].join(", ")}]`,
        estimate: `${minutes.get(id)}m`,
      });
    });
    const generated = await tempRepo(files);
    try {
      const result = await runCli(["plan", "--json"], { cwd: generated.root });
      expect(result.exitCode).toBe(0);
      const plan = JSON.parse(result.stdout) as PlanJson;
      // Brute force: wave = 1 + deepest dependency's wave; longest path by memoised recursion.
      const waveMemo = new Map<string, number>();
      const waveOf = (id: string): number => {
        if (!waveMemo.has(id)) {
          const mine = deps.get(id)!;
          waveMemo.set(id, mine.length === 0 ? 0 : 1 + Math.max(...mine.map(waveOf)));
        }
        return waveMemo.get(id)!;
      };
      for (const planned of plan.tasks) expect(planned.wave).toBe(waveOf(planned.id));
      expect(plan.tasks).toHaveLength(n);
      expect(plan.waves.flat().sort()).toEqual([...ids].sort());
      const dependents = new Map(ids.map((id) => [id, [] as string[]]));
      for (const [id, mine] of deps) for (const dep of mine) dependents.get(dep)!.push(id);
      const longMemo = new Map<string, number>();
      const longest = (id: string): number => {
        if (!longMemo.has(id)) {
          longMemo.set(id, minutes.get(id)! + Math.max(0, ...dependents.get(id)!.map(longest)));
        }
        return longMemo.get(id)!;
      };
      const max = Math.max(...ids.map(longest));
      const path = plan.critical_path;
      expect(deps.get(path[0]!)).toEqual([]);
      for (let i = 1; i < path.length; i++) expect(deps.get(path[i]!)).toContain(path[i - 1]);
      const weight = path.reduce((sum, id) => sum + minutes.get(id)!, 0);
      expect(weight).toBe(max);
      expect(plan.cost.critical_path).toBe(max * 60_000);
    } finally {
      await generated.cleanup();
    }
  });
});

describe("lanes run --dry-run", () => {
  it("checks everything, shows the plan, and starts or changes nothing", async () => {
    const agent = { command: [process.execPath, "-e", "0"] };
    const dry = await tempRepo({
      ...KNOWN_DAG,
      ".lanes/settings.json": JSON.stringify({ agent }),
    });
    try {
      const before = await snapshot(dry.root);
      const result = await runCli(["run", "--dry-run", "ui"], { cwd: dry.root });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toContain("Plan: 4 tasks in 3 waves");
      expect(result.stdout).toContain("pulled in as unfinished dependencies: ");
      expect(result.stdout).toContain(
        "Dry run: every check passed; nothing was started or changed.",
      );
      const json = await runCli(["run", "--dry-run", "--json", "lint"], { cwd: dry.root });
      expect(json.exitCode, json.stderr).toBe(0);
      expect((JSON.parse(json.stdout) as PlanJson).tasks.map((t) => t.id)).toEqual(["lint"]);
      expect(await snapshot(dry.root)).toBe(before);

      // A check that fails is the error the run would give, exit 2.
      await writeFile(
        path.join(dry.root, ".lanes", "settings.json"),
        JSON.stringify({ agent: { command: ["lanes-no-such-agent"] } }),
      );
      const missing = await runCli(["run", "--dry-run"], { cwd: dry.root });
      expect(missing.exitCode).toBe(2);
      expect(missing.stdout).toBe("");
      expect(missing.stderr).toContain("lanes-no-such-agent");
    } finally {
      await dry.cleanup();
    }
  });
});
