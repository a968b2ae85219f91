/**
 * A failed verify's output cut down to what a person reads. The fixtures are real outputs of small
 * failing suites run on this machine (vitest 4, node:test's spec and TAP reporters, pytest 9),
 * except Go and Jest, which are not installed here: go-test*.txt and jest.txt are written by hand
 * after the formats those tools document (`go test`, `go test -v`, Jest's default reporter).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { failingTestExcerpt, failureHeadline } from "../../src/quality/test-output/excerpt.js";

const fixture = (name: string) =>
  readFileSync(path.join(import.meta.dirname, "fixtures", "test-output", name), "utf8");

const ESC = "\u001b";

interface Case {
  fixture: string;
  formats: string[];
  has: string[];
  lacks: string[];
}

const CASES: Case[] = [
  {
    fixture: "vitest-color.txt",
    formats: ["vitest/jest"],
    has: [
      "FAIL  sum.test.ts > sum > adds 1 and 2",
      "AssertionError: expected 4 to be 3 // Object.is equality",
      "FAIL  sum.test.ts > sum > returns an object",
      '+   "total": 3,',
      "❯ sum.test.ts:6:74",
    ],
    lacks: ["adds 2 and 1", "Test Files", "⎯⎯⎯", "other.test.ts"],
  },
  {
    fixture: "vitest-nocolor.txt",
    formats: ["vitest/jest"],
    has: ["AssertionError: expected 4 to be 3", "to deeply equal { total: 2, unit: 'kg' }"],
    lacks: ["adds 39 and 1", "Duration"],
  },
  {
    fixture: "node-tap.txt",
    formats: ["tap"],
    has: [
      "not ok 2 - reads a date",
      "failureType: 'testCodeFailure'",
      "+   month: 11,",
      "not ok 27 - throws on bad input",
      "cannot read properties of undefined (reading 'id')",
      "TestContext.<anonymous> (file:///home/dev/shop/math.test.mjs:8:43)",
    ],
    lacks: [
      "ok 28 - counts 25",
      "subtestsFailed",
      "Test.runInAsyncScope",
      "Promise.all",
      "# pass 51",
    ],
  },
  {
    fixture: "node-spec.txt",
    formats: ["node:test"],
    has: [
      "test at math.test.mjs:6:3",
      "✖ reads a date",
      "AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:",
      "operator: 'deepStrictEqual'",
      "✖ throws on bad input",
      "TypeError [Error]: cannot read properties of undefined (reading 'id')",
    ],
    lacks: ["✔ counts", "✖ parser", "ℹ tests 53", "node:internal"],
  },
  {
    fixture: "node-spec-color.txt",
    formats: ["node:test"],
    has: ["✖ reads a date", "+   month: 11,"],
    lacks: ["✔ counts"],
  },
  {
    fixture: "pytest-default.txt",
    formats: ["pytest"],
    has: [
      "__________________________________ test_total __________________________________",
      ">       assert total(items) == 3.0",
      "E       AssertionError: assert 3.5999999999999996 == 3.0",
      "E       Failed: DID NOT RAISE <class 'ValueError'>",
      "FAILED test_cart.py::test_total - AssertionError: assert 3.5999999999999996 =...\nFAILED test_cart.py::test_empty_cart_raises",
    ],
    lacks: ["test session starts", "plugins:", "2 failed, 60 passed", "short test summary"],
  },
  {
    fixture: "pytest-verbose.txt",
    formats: ["pytest"],
    has: [
      "E       AssertionError: assert 3.5999999999999996 == 3.0",
      "FAILED test_cart.py::test_total",
    ],
    lacks: ["test_count[3] PASSED"],
  },
  {
    fixture: "go-test.txt",
    formats: ["go"],
    has: [
      "--- FAIL: TestDivide (0.00s)",
      "divide_test.go:14: Divide(1, 0) = 0, want an error",
      'parse_test.go:22: Parse("") error = <nil>, want ErrEmpty',
    ],
    lacks: ["ok  \texample.com/calc/internal/format"],
  },
  {
    fixture: "go-test-v.txt",
    formats: ["go"],
    has: [
      "=== RUN   TestDivide",
      "divide_test.go:15: remainder = 1, want 0",
      "--- FAIL: TestDivide",
    ],
    lacks: ["TestAdd", "TestMul"],
  },
  {
    fixture: "jest.txt",
    formats: ["vitest/jest"],
    has: [
      "FAIL  src/cart.test.js",
      "● cart › totals the items",
      "Received: 3.5999999999999996",
      "at Object.toBe (src/cart.test.js:12:26)",
    ],
    lacks: ["PASS  src/format.test.js", "● Console", "computing total", "Test Suites:"],
  },
];

describe("failing tests in a verify's output", () => {
  it.each(CASES)("$fixture", ({ fixture: name, formats, has, lacks }) => {
    const excerpt = failingTestExcerpt(fixture(name));
    expect(excerpt.formats).toEqual(formats);
    expect(excerpt.text).not.toContain(ESC);
    for (const text of has) expect(excerpt.text).toContain(text);
    for (const text of lacks) expect(excerpt.text).not.toContain(text);
    expect(excerpt.truncated).toBe(false);
  });

  it("finds a failing block in the middle of a long output", () => {
    const build = Array.from({ length: 400 }, (_, i) => `[build] compiled src/module-${i}.ts`);
    const lint = Array.from({ length: 400 }, (_, i) => `[lint] checked src/module-${i}.ts: ok`);
    const output = [...build, fixture("node-tap.txt"), ...lint, "npm ERR! Test failed."].join("\n");
    const excerpt = failingTestExcerpt(output);
    expect(excerpt.formats).toEqual(["tap"]);
    expect(excerpt.text.split("\n")[0]).toBe("    not ok 2 - reads a date");
    expect(excerpt.text).toContain("cannot read properties of undefined (reading 'id')");
    expect(excerpt.text).not.toContain("[build]");
    expect(excerpt.text).not.toContain("[lint]");
    // The last line alone, which is what a retry used to get, says nothing.
    expect(excerpt.text).not.toContain("npm ERR!");
  });

  it("falls back to assertion messages from an unknown runner", () => {
    const output = [
      ...Array.from({ length: 300 }, (_, i) => `running check ${i}`),
      "check 301: totals",
      "AssertionError: cart total was 3.6, expected 3",
      "    at check (checks/cart.js:12:9)",
      ...Array.from({ length: 300 }, (_, i) => `running check ${i + 302}`),
    ].join("\n");
    const excerpt = failingTestExcerpt(output);
    expect(excerpt.formats).toEqual(["assertion"]);
    expect(excerpt.text.split("\n")).toEqual([
      "running check 299",
      "check 301: totals",
      "AssertionError: cart total was 3.6, expected 3",
      "    at check (checks/cart.js:12:9)",
      ...Array.from({ length: 10 }, (_, i) => `running check ${i + 302}`),
    ]);
  });

  it("keeps the last 150 lines when nothing is recognised", () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `${ESC}[33mline ${i}${ESC}[0m`);
    const excerpt = failingTestExcerpt(`${lines.join("\n")}\n\n`);
    expect(excerpt.formats).toEqual(["tail"]);
    const kept = excerpt.text.split("\n");
    expect(kept).toHaveLength(150);
    expect(kept[0]).toBe("line 850");
    expect(kept.at(-1)).toBe("line 999");
    expect(excerpt.truncated).toBe(true);
  });

  it("keeps a short output whole", () => {
    const excerpt = failingTestExcerpt("sh: 1: npm: not found\n");
    expect(excerpt).toEqual({ text: "sh: 1: npm: not found", formats: ["tail"], truncated: false });
  });

  it("stays bounded when hundreds of tests fail", () => {
    const failures = Array.from({ length: 500 }, (_, i) =>
      [`not ok ${i + 1} - case ${i}`, "  ---", `  error: 'case ${i} broke'`, "  ..."].join("\n"),
    );
    const excerpt = failingTestExcerpt(failures.join("\n"));
    expect(excerpt.text.split("\n").length).toBeLessThanOrEqual(202);
    expect(excerpt.text).toContain("not ok 1 - case 0");
    expect(excerpt.text).toMatch(/\[… \d+ more failing blocks left out\]$/);
    expect(excerpt.truncated).toBe(true);
  });

  it("cuts one huge failure, and very long lines, and keeps the size bounded", () => {
    const diff = Array.from({ length: 5000 }, (_, i) => `  + line ${i} ${"x".repeat(1000)}`);
    const excerpt = failingTestExcerpt(["not ok 1 - snapshot", ...diff].join("\n"));
    expect(excerpt.text).toContain("more lines of this failure]");
    expect(excerpt.text.length).toBeLessThanOrEqual(16_000 + 200);
    expect(excerpt.truncated).toBe(true);
  });

  it("shows a progress bar's last state and reads CRLF output", () => {
    const output =
      "downloading 10%\rdownloading 100%\r\nnot ok 1 - fetches\r\n  ---\r\n  error: 'timeout'\r\n  ...\r\n";
    expect(failingTestExcerpt(output).text).toBe(
      "not ok 1 - fetches\n  ---\n  error: 'timeout'\n  ...",
    );
  });

  it("leaves out TODO and SKIP tests that TAP reports as not ok", () => {
    const output =
      "not ok 1 - later # TODO write it\nnot ok 2 - skipped # SKIP no db\nok 3 - fine\n";
    expect(failingTestExcerpt(output).formats).toEqual(["tail"]);
  });
});

describe("the headline of a failure, for the summary", () => {
  it.each([
    [
      "vitest-color.txt",
      "FAIL  sum.test.ts > sum > adds 1 and 2\nAssertionError: expected 4 to be 3 // Object.is equality\n- Expected\n+ Received",
    ],
    [
      "node-tap.txt",
      "not ok 2 - reads a date\nerror: |-\nExpected values to be strictly deep-equal:\n+ actual - expected",
    ],
    [
      "pytest-default.txt",
      'def test_total():\nitems = [("apple", 1.0), ("pear", 2.0)]\n>       assert total(items) == 3.0\nE       AssertionError: assert 3.5999999999999996 == 3.0',
    ],
    [
      "go-test.txt",
      "--- FAIL: TestDivide (0.00s)\ndivide_test.go:14: Divide(1, 0) = 0, want an error\n--- FAIL: TestParse (0.00s)\n--- FAIL: TestParse/empty (0.00s)",
    ],
  ])("%s", (name, headline) => {
    expect(failureHeadline(failingTestExcerpt(fixture(name)))).toBe(headline);
  });

  it("is the last lines when no failure was recognised", () => {
    const excerpt = failingTestExcerpt("step 1\nstep 2\nsh: 1: npm: not found\n");
    expect(failureHeadline(excerpt, 2)).toBe("step 2\nsh: 1: npm: not found");
  });
});
