// A qa phase's verdict, from the file at $LANES_VERDICT_FILE or from the last line of the agent's
// final message, with the findings above it; and the clear "no verdict" when there is neither.
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  parseVerdictFile,
  parseVerdictMessage,
  readVerdict,
  readVerdictFile,
} from "../../src/quality/verdict.js";

const MESSAGES: [string, string, string | undefined, string[]][] = [
  ["a bare ready line", "VERDICT: READY", "ready", []],
  [
    "a review with bullets, then needs work",
    `I reviewed the diff against the task "Add login endpoint".

Findings:
- POST /login returns 200 for a wrong password; the task asks for 401.
- There is no test for the rate limit the acceptance criteria mention.

VERDICT: NEEDS_WORK`,
    "needs_work",
    [
      "POST /login returns 200 for a wrong password; the task asks for 401.",
      "There is no test for the rate limit the acceptance criteria mention.",
    ],
  ],
  [
    "numbered findings with continuation lines",
    `## Review

1. \`src/auth.ts\` stores the password in plain text
   instead of hashing it with bcrypt.
2) The README section is missing.

VERDICT: NEEDS_WORK`,
    "needs_work",
    [
      "`src/auth.ts` stores the password in plain text instead of hashing it with bcrypt.",
      "The README section is missing.",
    ],
  ],
  [
    "paragraph findings, no bullets",
    `The change does what the task asks, but the migration drops the users table before
copying it, which loses data on a live database.

The new endpoint is not registered in the router either.

VERDICT: NEEDS_WORK`,
    "needs_work",
    [
      "The change does what the task asks, but the migration drops the users table before copying it, which loses data on a live database.",
      "The new endpoint is not registered in the router either.",
    ],
  ],
  [
    "a ready verdict with a summary paragraph",
    `All three acceptance criteria are met:
the endpoint, its test and the docs.

VERDICT: READY`,
    "ready",
    ["All three acceptance criteria are met: the endpoint, its test and the docs."],
  ],
  [
    "bold markdown verdict",
    "- The task is blocked on the missing API key.\n\n**VERDICT: BLOCKED**",
    "blocked",
    ["The task is blocked on the missing API key."],
  ],
  ["backticks and a full stop", "Looks good.\n\n`VERDICT: READY`.", "ready", ["Looks good."]],
  ["lower case and spaces", "verdict:   needs_work", "needs_work", []],
  ["NEEDS WORK with a space", "- fix it\nVERDICT: NEEDS WORK", "needs_work", ["fix it"]],
  ["a heading verdict", "### VERDICT: READY", "ready", []],
  [
    "trailing blank lines and CRLF",
    "- a\r\n- b\r\nVERDICT: NEEDS_WORK\r\n\r\n\r\n",
    "needs_work",
    ["a", "b"],
  ],
  [
    "a verdict inside a code block the agent closed",
    "```\n- missing test\nVERDICT: NEEDS_WORK\n```",
    "needs_work",
    ["missing test"],
  ],
  [
    "ANSI colours around the verdict",
    "- slow query\n\u001b[1m\u001b[32mVERDICT: READY\u001b[0m",
    "ready",
    ["slow query"],
  ],
  [
    "nested bullets join their parent",
    "- Tests:\n  - login has none\n  - logout has none\n- Docs are missing\nVERDICT: NEEDS_WORK",
    "needs_work",
    ["Tests: login has none logout has none", "Docs are missing"],
  ],
  [
    "a verdict that is not the last line",
    "VERDICT: READY\n\nLet me know if you need more.",
    undefined,
    [],
  ],
  ["prose about the verdict", "I think the verdict is ready.", undefined, []],
  ["an unknown verdict word", "VERDICT: APPROVED", undefined, []],
  ["sequant's words are not ours", "VERDICT: READY_FOR_MERGE", undefined, []],
  ["an empty message", "", undefined, []],
  ["only whitespace", "  \n\n ", undefined, []],
];

describe("the line form of a verdict", () => {
  it.each(MESSAGES)("%s", (_name, message, verdict, findings) => {
    const result = parseVerdictMessage(message);
    if (verdict === undefined) {
      expect(result).toBeUndefined();
      return;
    }
    expect(result).toEqual({ kind: "verdict", verdict, findings, source: "message" });
  });
});

describe("the file form of a verdict", () => {
  it.each([
    ['{"verdict":"ready","findings":[]}', "ready", []],
    ['{"verdict":"ready"}', "ready", []],
    [
      '{"verdict":"needs_work","findings":["add a test for 401", "  ", " docs "]}',
      "needs_work",
      ["add a test for 401", "docs"],
    ],
    [
      '{\n  "verdict": "blocked",\n  "findings": ["needs a product decision"]\n}\n',
      "blocked",
      ["needs a product decision"],
    ],
  ])("%s", (text, verdict, findings) => {
    expect(parseVerdictFile(text, "v.json")).toEqual({
      kind: "verdict",
      verdict,
      findings,
      source: "file",
    });
  });

  it.each([
    ["", "it is empty"],
    ["VERDICT: READY", "it is not JSON"],
    ['{"verdict":"READY"}', 'verdict must be "ready", "needs_work" or "blocked", got "READY"'],
    ['{"verdict":"approved","findings":[]}', 'got "approved"'],
    ['{"findings":["x"]}', "verdict is missing"],
    ['{"verdict":"ready","findings":"all good"}', "findings:"],
    ['{"verdict":"ready","findings":[1]}', "findings.0:"],
    ['{"verdict":"ready","score":9}', "score"],
    ['["ready"]', "the file:"],
  ])("refuses %j, naming the file and what is wrong", (text, problem) => {
    const result = parseVerdictFile(text, "/runs/r1/verdicts/login.qa.1.json");
    expect(result.kind).toBe("invalid");
    if (result.kind !== "invalid") return;
    expect(result.problem).toContain(problem);
    expect(result.message).toContain("/runs/r1/verdicts/login.qa.1.json is not valid");
  });
});

describe("readVerdict", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "lanes-verdict-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prefers the file to the final message", async () => {
    const file = path.join(dir, "a.json");
    writeFileSync(file, '{"verdict":"needs_work","findings":["from the file"]}');
    expect(await readVerdict({ file, finalMessage: "VERDICT: READY" })).toMatchObject({
      verdict: "needs_work",
      findings: ["from the file"],
      source: "file",
    });
  });

  it("falls back to the final message when no file was written", async () => {
    const file = path.join(dir, "missing.json");
    expect(await readVerdictFile(file)).toBeUndefined();
    expect(await readVerdict({ file, finalMessage: "- x\nVERDICT: BLOCKED" })).toEqual({
      kind: "verdict",
      verdict: "blocked",
      findings: ["x"],
      source: "message",
    });
  });

  it("reports a malformed file even when the message has a verdict line", async () => {
    const file = path.join(dir, "bad.json");
    writeFileSync(file, "{ verdict: ready }");
    const result = await readVerdict({ file, finalMessage: "VERDICT: READY" });
    expect(result).toMatchObject({ kind: "invalid", file });
  });

  it("reports an unreadable verdict file (a directory) as invalid", async () => {
    const file = path.join(dir, "dir.json");
    mkdirSync(file);
    expect(await readVerdictFile(file)).toMatchObject({
      kind: "invalid",
      problem: "it cannot be read (EISDIR)",
    });
  });

  it("says clearly that there is no verdict", async () => {
    const none = await readVerdict({
      file: path.join(dir, "nope.json"),
      finalMessage: "All done!",
    });
    expect(none).toEqual({
      kind: "none",
      message: `qa gave no verdict: no verdict file at ${path.join(dir, "nope.json")}; the final message does not end in a line VERDICT: READY, VERDICT: NEEDS_WORK or VERDICT: BLOCKED`,
    });
    expect(await readVerdict({})).toEqual({
      kind: "none",
      message: "qa gave no verdict: no final message",
    });
  });
});
