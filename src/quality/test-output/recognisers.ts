/**
 * One recogniser per test runner's output format, each finding the blocks a person reads to see
 * why a test failed: TAP `not ok` with its YAML, Vitest/Jest `FAIL` and `●`, pytest's sections
 * and `FAILED` lines, Go's `--- FAIL`, node:test's `✖`. They work on ANSI-free lines.
 */
import { type Block, endAt, indentedEnd, indentOf, isBlank, trimBlock } from "./blocks.js";

export type Recogniser = (lines: string[]) => Block[];

const TAP_NOT_OK = /^(\s*)not ok\b(?!.*#\s*(?:TODO|SKIP)\b)/i;

/** `not ok` with its indented YAML diagnostics; a suite that failed only by its children is skipped. */
export const tap: Recogniser = (lines) => {
  const blocks: Block[] = [];
  lines.forEach((line, i) => {
    const match = TAP_NOT_OK.exec(line);
    if (!match) return;
    const end = indentedEnd(lines, i + 1, match[1]!.length);
    const body = lines.slice(i + 1, end);
    if (body.some((l) => /failureType:\s*'?subtestsFailed/.test(l))) return;
    blocks.push({ start: i, end, format: "tap" });
  });
  return blocks;
};

// Spaces, not a tab: Go prints "FAIL\t<package>".
const VITEST_FAIL = /^ *FAIL +\S/;
const JEST_BULLET = /^(\s*)● (?!Console\b)/;
const RUNNER_SUMMARY =
  /^\s*(?:Test Files|Tests|Test Suites|Snapshots|Time|Ran all test suites|Summary of all failing tests)\b/;
const SEPARATOR = /^\s*⎯{3,}/;

/**
 * Vitest's `FAIL file > test` blocks up to its `⎯⎯⎯` separator; Jest's `FAIL file` line and the
 * `● test` blocks under it. Both end at the next FAIL/PASS line or the runner's summary.
 */
export const vitestJest: Recogniser = (lines) => {
  const blocks: Block[] = [];
  const stop = (line: string) =>
    VITEST_FAIL.test(line) ||
    /^\s*● Console\b/.test(line) ||
    /^ *PASS +\S/.test(line) ||
    SEPARATOR.test(line) ||
    RUNNER_SUMMARY.test(line);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (VITEST_FAIL.test(line)) {
      const end = endAt(lines, i + 1, stop);
      blocks.push({ start: i, end, format: "vitest/jest" });
      i = end - 1;
      continue;
    }
    const bullet = JEST_BULLET.exec(line);
    if (bullet) {
      const indent = bullet[1]!.length;
      const end = endAt(
        lines,
        i + 1,
        (l) => stop(l) || /^\s*● /.test(l) || (!isBlank(l) && indentOf(l) < indent),
      );
      blocks.push({ start: i, end, format: "jest" });
      i = end - 1;
    }
  }
  return blocks;
};

const PYTEST_SECTION = /^_{3,} (.+) _{3,}$/;
const PYTEST_RULE = /^={5,}/;
const PYTEST_SUMMARY = /^(?:FAILED|ERROR) \S/;

/** pytest's `___ test_x ___` sections under FAILURES/ERRORS, else its `E ` lines; and `FAILED` lines. */
export const pytest: Recogniser = (lines) => {
  const blocks: Block[] = [];
  let sections = 0;
  lines.forEach((line, i) => {
    if (PYTEST_SECTION.test(line)) {
      const end = endAt(lines, i + 1, (l) => PYTEST_SECTION.test(l) || PYTEST_RULE.test(l));
      blocks.push({ start: i, end, format: "pytest" });
      sections++;
    } else if (PYTEST_SUMMARY.test(line)) {
      blocks.push({ start: i, end: i + 1, format: "pytest" });
    }
  });
  if (sections > 0) return blocks;
  // Without sections (pytest --tb=short, say, or a cut output), each run of `E ` lines and the
  // source lines that lead to it.
  for (let i = 0; i < lines.length; i++) {
    if (!/^E\s/.test(lines[i]!)) continue;
    const end = endAt(lines, i, (l) => !/^E\s/.test(l));
    let start = i;
    while (start > 0 && i - start < 4 && !isBlank(lines[start - 1])) start--;
    blocks.push({ start, end: Math.min(end + 1, lines.length), format: "pytest" });
    i = end;
  }
  return blocks;
};

const GO_FAIL = /^(\s*)--- FAIL: (\S+)/;

/**
 * Go's `--- FAIL: TestX` with the lines indented under it; with `go test -v` the test's log lines
 * come before it instead, after its `=== RUN   TestX`, and are taken from there.
 */
export const goTest: Recogniser = (lines) => {
  const blocks: Block[] = [];
  lines.forEach((line, i) => {
    const match = GO_FAIL.exec(line);
    if (!match) return;
    const name = match[2]!;
    const end = indentedEnd(lines, i + 1, match[1]!.length);
    const logged: Block | undefined = verboseLog(lines, i, name);
    if (logged) blocks.push(logged);
    blocks.push({ start: i, end, format: "go" });
  });
  return blocks;
};

function verboseLog(lines: string[], failAt: number, name: string): Block | undefined {
  for (let i = failAt - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (line.startsWith("=== RUN") && line.slice(7).trim() === name) {
      const log = lines.slice(i + 1, failAt).findIndex((l) => /^\s+\S/.test(l));
      if (log < 0) return undefined;
      const end = endAt(lines, i + 1 + log, (l) => /^(?:===|---|\s*--- )/.test(l));
      return { start: i, end: Math.min(end, failAt), format: "go" };
    }
  }
  return undefined;
}

const NODE_CROSS = /^(\s*)✖ (.*)$/;
const NODE_SUMMARY = /^\s*✖ failing tests:\s*$/;

/**
 * node:test's spec reporter: `✖ test` with its indented error. When the run ends with its
 * `✖ failing tests:` list, only that list is read, since it repeats the inline ones.
 */
export const nodeSpec: Recogniser = (lines) => {
  const summary = lines.findIndex((line) => NODE_SUMMARY.test(line));
  const from = summary >= 0 ? summary + 1 : 0;
  const blocks: Block[] = [];
  for (let i = from; i < lines.length; i++) {
    const match = NODE_CROSS.exec(lines[i]!);
    if (!match) continue;
    const end = indentedEnd(lines, i + 1, match[1]!.length);
    if (end === i + 1) continue; // a suite that failed through its children: no error of its own
    const start = i > 0 && /^\s*test at \S/.test(lines[i - 1]!) ? i - 1 : i;
    blocks.push({ start, end, format: "node:test" });
    i = end - 1;
  }
  return blocks;
};

const ASSERTION =
  /\b(?:AssertionError|AssertError|ComparisonFailure|assertion failed|Assertion failed|assert_eq!|panicked at|Traceback \(most recent call last\))|^\s*(?:Expected|Received|Actual)\b[^:]{0,30}:|^\s*panic: /;

/** Any runner: an assertion message with a few lines before and after it. */
export const assertions: Recogniser = (lines) => {
  const blocks: Block[] = [];
  lines.forEach((line, i) => {
    if (!ASSERTION.test(line)) return;
    blocks.push(
      trimBlock(lines, {
        start: Math.max(0, i - 2),
        end: Math.min(lines.length, i + 12),
        format: "assertion",
      }),
    );
  });
  return blocks;
};

/** The recognisers of named formats, tried together; `assertions` only when they find nothing. */
export const FORMAT_RECOGNISERS: Recogniser[] = [tap, vitestJest, pytest, goTest, nodeSpec];
