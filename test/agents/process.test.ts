import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type AgentProcessOptions,
  isProcessGroupAlive,
  killProcessGroup,
  killProcessGroupNow,
  runAgentProcess,
} from "../../src/agents/process.js";
import { childPid, FIXTURES, groupAlive, isAlive, NODE, tempDir, track } from "./helpers.js";

function options(overrides: Partial<AgentProcessOptions> = {}): AgentProcessOptions {
  const dir = tempDir();
  return {
    argv: [NODE, "-e", ""],
    cwd: dir,
    env: {},
    prompt: "",
    logPath: join(dir, "logs", "task", "exec.1.log"),
    timeoutMs: 60_000,
    graceMs: 1_000,
    onSpawn: track,
    ...overrides,
  };
}

/** Runs and collects onLine lines. */
async function run(overrides: Partial<AgentProcessOptions> = {}) {
  const opts = options(overrides);
  const lines: { line: string; stream: string }[] = [];
  const result = await runAgentProcess({
    ...opts,
    onLine: (line, stream) => {
      lines.push({ line, stream });
      overrides.onLine?.(line, stream);
    },
  });
  return { result, lines, opts, log: () => readFileSync(opts.logPath) };
}

describe("runAgentProcess: the agent contract", () => {
  it("passes argv without a shell, the env on top of process.env, and the cwd", async () => {
    const cwd = tempDir();
    const { result, lines } = await run({
      argv: [NODE, join(FIXTURES, "echo-context.mjs"), "$HOME", "a b", "`id`"],
      cwd,
      env: { LANES_TEST_FOO: "bar" },
    });
    expect(result).toMatchObject({ exitCode: 0, signal: undefined, spawnError: undefined });
    const seen = JSON.parse(lines[0]!.line);
    expect(seen).toEqual({ cwd, argv: ["$HOME", "a b", "`id`"], foo: "bar", path: true });
  });

  it("delivers the prompt on stdin verbatim: quotes, $(...), newlines, unicode", async () => {
    const cwd = tempDir();
    const prompt = `Title: "quoted" and 'single'\n$(rm -rf /) \`uname\` ; | & > x\n\\n ünïcödé 🚀 中文\r\n\nend`;
    const { result } = await run({ argv: [NODE, join(FIXTURES, "echo-context.mjs")], cwd, prompt });
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(cwd, "stdin.bin"), "utf8")).toBe(prompt);
  });

  it("closes stdin, and an agent that never reads it is fine", async () => {
    const big = "x".repeat(1 << 20);
    const ignores = await run({ argv: [NODE, "-e", "process.exit(0)"], prompt: big });
    expect(ignores.result.exitCode).toBe(0);
    const waitsForEof = await run({
      argv: [
        NODE,
        "-e",
        "process.stdin.resume(); process.stdin.on('end', () => console.log('eof'))",
      ],
      prompt: "hi",
    });
    expect(waitsForEof.lines.map((l) => l.line)).toEqual(["eof"]);
  });

  it("reports the exit code and the pid, and calls onSpawn with it", async () => {
    let spawned: number | undefined;
    const { result } = await run({
      argv: [NODE, "-e", "process.exit(3)"],
      onSpawn: (pid) => {
        spawned = pid;
        track(pid);
      },
    });
    expect(result.exitCode).toBe(3);
    expect(result.pid).toBeGreaterThan(1);
    expect(spawned).toBe(result.pid);
    expect(result.timedOut || result.aborted).toBe(false);
  });

  it("reports a death by signal", async () => {
    const { result } = await run({ argv: [NODE, "-e", "process.kill(process.pid, 'SIGKILL')"] });
    expect(result).toMatchObject({ exitCode: undefined, signal: "SIGKILL", timedOut: false });
  });

  it("runs the agent in its own process group", async () => {
    const { lines } = await run({
      argv: [
        "sh",
        "-c",
        'echo "$$ $(ps -o pgid= -p $$ | tr -d " ") $(ps -o pgid= -p $PPID | tr -d " ")"',
      ],
    });
    const [pid, pgid, parentPgid] = lines[0]!.line.split(" ");
    expect(pgid).toBe(pid);
    expect(parentPgid).not.toBe(pgid);
  });

  it("resolves with spawnError, not a throw, when the program is missing", async () => {
    const { result } = await run({ argv: ["lanes-no-such-program-4711", "--x"] });
    expect(result.spawnError).toMatch(/command not found: "lanes-no-such-program-4711"/);
    expect(result).toMatchObject({ exitCode: undefined, pid: undefined, timedOut: false });
  });

  it("resolves with spawnError when the cwd does not exist or argv is empty", async () => {
    const missing = await run({ cwd: join(tempDir(), "nope") });
    expect(missing.result.spawnError).toMatch(/working directory .* does not exist/);
    const empty = await run({ argv: [] });
    expect(empty.result.spawnError).toMatch(/empty/);
  });
});

describe("runAgentProcess: output", () => {
  it("appends stdout and stderr to the log (creating its folder) and gives a tail", async () => {
    const script = "for (let i = 0; i < 30; i++) console.log('out ' + i); console.error('err!');";
    const { result, log, lines, opts } = await run({ argv: [NODE, "-e", script] });
    expect(log().toString()).toContain("out 0\nout 1\n");
    expect(log().toString()).toContain("err!\n");
    expect(lines).toContainEqual({ line: "err!", stream: "stderr" });
    expect(lines.filter((l) => l.stream === "stdout")).toHaveLength(30);
    expect(result.tail).toHaveLength(20);
    expect(result.tail).toContain("err!");
    expect(result.tail).toContain("out 29");

    // A second attempt into the same file appends.
    await runAgentProcess({ ...opts, argv: [NODE, "-e", "console.log('again')"] });
    expect(log().toString()).toMatch(/out 29\n[\s\S]*again\n$/);
  });

  it("hands onLine whole lines only, however the bytes are chunked", async () => {
    const script = `
      const w = (s) => new Promise((r) => process.stdout.write(s, r));
      const pause = () => new Promise((r) => setTimeout(r, 30));
      (async () => {
        await w("par"); await pause(); await w("tial\\nsec"); await pause();
        await w("ond\\r\\n\\nthird"); await pause(); await w(" without newline");
      })();`;
    const { lines } = await run({ argv: [NODE, "-e", script] });
    expect(lines.map((l) => l.line)).toEqual(["partial", "second", "", "third without newline"]);
  });

  it("caps a huge line instead of holding it, and keeps going", async () => {
    const script = "process.stdout.write('y'.repeat(300000) + '\\nafter\\n')";
    const { lines, log } = await run({ argv: [NODE, "-e", script] });
    expect(lines.map((l) => l.line.length)).toEqual([64 * 1024, 5]);
    expect(lines[1]!.line).toBe("after");
    expect(log().length).toBe(300_000 + 7);
  });

  it("survives bytes that are not UTF-8: raw in the log, U+FFFD in onLine", async () => {
    const bytes = [0xff, 0xfe, 0x41, 0x0a, 0xc3, 0x28, 0x0a, 0xe2, 0x82];
    const script = `process.stdout.write(Buffer.from(${JSON.stringify(bytes)}))`;
    const { result, lines, log } = await run({ argv: [NODE, "-e", script] });
    expect(result.exitCode).toBe(0);
    expect([...log()]).toEqual(bytes);
    expect(lines.map((l) => l.line)).toEqual(["\uFFFD\uFFFDA", "\uFFFD(", "\uFFFD"]);
  });

  it("streams a large output to the file, not to memory", async () => {
    const mib = 96;
    // 50 million short lines: the worst case for per-line work.
    const script = `
      const chunk = Buffer.alloc(1 << 20, 'z\\n');
      let left = ${mib};
      const next = () => { while (left-- > 0) if (!process.stdout.write(chunk)) return process.stdout.once('drain', next); };
      next();`;
    const opts = options({ argv: [NODE, "-e", script] });
    let lines = 0;
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    const result = await runAgentProcess({ ...opts, onLine: () => void lines++ });
    clearInterval(sampler);
    expect(result.exitCode).toBe(0);
    expect(statSync(opts.logPath).size).toBe(mib << 20);
    expect(lines).toBe((mib << 20) / 2);
    expect(result.tail).toEqual(Array(20).fill("z"));
    // Generous: the point is that 96 MiB of output does not end up in lanes' memory.
    expect(peak - before).toBeLessThan(64 << 20);
  }, 60_000);
});

describe("runAgentProcess: output nobody reads line by line", () => {
  // Without onLine the agent writes stdout into the log itself (src/agents/direct-log.ts).
  it("puts stdout and stderr in the log, and the tail of this attempt alone", async () => {
    const opts = options({
      argv: [
        NODE,
        "-e",
        "for (let i = 0; i < 30; i++) console.log('out ' + i); console.error('err!');",
      ],
    });
    const first = await runAgentProcess(opts);
    expect(first.exitCode).toBe(0);
    const log = () => readFileSync(opts.logPath, "utf8");
    expect(log()).toContain("out 0\nout 1\n");
    expect(log()).toContain("err!\n");
    expect(first.tail).toHaveLength(20);
    expect(first.tail).toContain("out 29");
    expect(first.tail).toContain("err!");
    expect(first.stderrTail).toEqual(["err!"]);

    // A second attempt appends, and its tail holds none of the first one's lines.
    const second = await runAgentProcess({
      ...opts,
      argv: [NODE, "-e", "console.log('again'); console.error('oops')"],
    });
    expect(log()).toMatch(/out 29\n[\s\S]*again\n/);
    expect([...second.tail].sort()).toEqual(["again", "oops"]);
    expect(second.stderrTail).toEqual(["oops"]);
  });

  it("sees the exit of an agent that is gone at once (nothing awaited before its listeners)", async () => {
    const results = await Promise.all(
      Array.from({ length: 16 }, () => runAgentProcess(options({ argv: ["sh", "-c", "exit 3"] }))),
    );
    expect(results.map((result) => result.exitCode)).toEqual(Array(16).fill(3));
  });

  it("keeps every byte of a large output, with its last lines as the tail", async () => {
    const mib = 8;
    const script = `
      const chunk = Buffer.alloc(1 << 20, 'z\\n');
      let left = ${mib};
      const next = () => { while (left-- > 0) if (!process.stdout.write(chunk)) return process.stdout.once('drain', next); };
      next();
      process.on('exit', () => process.stdout.write('last line\\n'));`;
    const opts = options({ argv: [NODE, "-e", script] });
    const result = await runAgentProcess(opts);
    expect(result.exitCode).toBe(0);
    expect(statSync(opts.logPath).size).toBe((mib << 20) + "last line\n".length);
    expect(result.tail.at(-1)).toBe("last line");
    expect(result.tail.slice(0, -1)).toEqual(Array(19).fill("z"));
  });
});

describe("runAgentProcess: ending the tree", () => {
  it("on timeout, SIGTERMs the group and SIGKILLs a child that ignores SIGTERM", async () => {
    const pids: number[] = [];
    const started = Date.now();
    const { result, lines } = await run({
      argv: [NODE, join(FIXTURES, "stubborn-tree.mjs")],
      timeoutMs: 700,
      graceMs: 300,
      onSpawn: (pid) => {
        pids.push(pid);
        track(pid);
      },
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result).toMatchObject({ timedOut: true, aborted: false, signal: "SIGTERM" });
    const child = childPid(lines.map((l) => l.line));
    expect(isAlive(child)).toBe(false);
    expect(isAlive(pids[0]!)).toBe(false);
    expect(groupAlive(pids[0]!)).toBe(false);
  }, 20_000);

  it("SIGKILLs a leader that ignores SIGTERM too", async () => {
    const { result } = await run({
      argv: [NODE, join(FIXTURES, "stubborn-tree.mjs"), "stubborn-leader"],
      timeoutMs: 500,
      graceMs: 200,
    });
    expect(result).toMatchObject({ timedOut: true, signal: "SIGKILL", exitCode: undefined });
    expect(groupAlive(result.pid!)).toBe(false);
  }, 20_000);

  it("ends the tree when the AbortSignal fires", async () => {
    const controller = new AbortController();
    const { result, lines } = await run({
      argv: [NODE, join(FIXTURES, "stubborn-tree.mjs")],
      graceMs: 200,
      signal: controller.signal,
      onLine: (line) => {
        if (line.startsWith("child ")) controller.abort();
      },
    });
    expect(result).toMatchObject({ aborted: true, timedOut: false });
    expect(isAlive(childPid(lines.map((l) => l.line)))).toBe(false);
    expect(groupAlive(result.pid!)).toBe(false);
  }, 20_000);

  it("does not start anything when the signal is already aborted", async () => {
    let spawned = false;
    const { result } = await run({
      signal: AbortSignal.abort(),
      onSpawn: () => {
        spawned = true;
      },
    });
    expect(result).toMatchObject({ aborted: true, pid: undefined });
    expect(spawned).toBe(false);
  });

  it("ends a background child the agent left behind when it exited", async () => {
    const { result, lines } = await run({
      argv: [NODE, join(FIXTURES, "leave-grandchild.mjs")],
      graceMs: 500,
    });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, aborted: false });
    expect(isAlive(childPid(lines.map((l) => l.line)))).toBe(false);
    expect(groupAlive(result.pid!)).toBe(false);
  }, 20_000);

  it("does not wait forever for output held open by a process that left the group", async () => {
    // setsid puts the grandchild in a new session: the group kill cannot reach it, but it holds
    // stdout open. Resolving anyway matters more than its output.
    const script = `
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
      console.log('child ' + c.pid); c.unref();`;
    const started = Date.now();
    const { result, lines } = await run({ argv: [NODE, "-e", script], graceMs: 100 });
    const escaped = childPid(lines.map((l) => l.line));
    track(escaped);
    expect(result.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);
});

describe("killProcessGroup / isProcessGroupAlive", () => {
  it("ends a group that runs on after its leader was lost (what resume finds)", async () => {
    const leader = spawn(NODE, [join(FIXTURES, "stubborn-tree.mjs"), "stubborn-leader"], {
      detached: true,
      stdio: ["ignore", "pipe", "ignore"],
    });
    const pgid = leader.pid!;
    track(pgid);
    const line = await new Promise<string>((resolve) =>
      leader.stdout.on("data", (d: Buffer) => resolve(d.toString())),
    );
    const child = Number(line.trim().split(" ")[1]);
    expect(isProcessGroupAlive(pgid)).toBe(true);
    const started = Date.now();
    await killProcessGroup(pgid, 200);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(isProcessGroupAlive(pgid)).toBe(false);
    expect(isAlive(child)).toBe(false);
    await killProcessGroup(pgid, 200); // already gone: a no-op
  }, 20_000);

  it("killProcessGroupNow SIGKILLs the whole group at once and never throws", async () => {
    const leader = spawn(NODE, [join(FIXTURES, "stubborn-tree.mjs"), "stubborn-leader"], {
      detached: true,
      stdio: ["ignore", "pipe", "ignore"],
    });
    const pgid = leader.pid!;
    track(pgid);
    const line = await new Promise<string>((resolve) =>
      leader.stdout.on("data", (d: Buffer) => resolve(d.toString())),
    );
    const child = Number(line.trim().split(" ")[1]);
    killProcessGroupNow(pgid);
    await new Promise((resolve) => leader.once("exit", resolve));
    for (let i = 0; i < 100 && isAlive(child); i++) await new Promise((r) => setTimeout(r, 20));
    expect(isAlive(child)).toBe(false);
    expect(isProcessGroupAlive(pgid)).toBe(false);
    expect(() => killProcessGroupNow(pgid)).not.toThrow();
    expect(() => killProcessGroupNow(0)).not.toThrow();
  }, 20_000);

  it("refuses group ids that would signal lanes itself or everything", () => {
    for (const bad of [0, 1, -5, 1.5, Number.NaN, process.pid]) {
      expect(() => isProcessGroupAlive(bad)).toThrow(/process group id/);
    }
  });
});
