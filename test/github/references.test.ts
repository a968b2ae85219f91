// The pure parsers of the GitHub source: dependency lines in issue bodies, depends-on/N labels,
// issue numbers on the command line, title slugs for lane branches and remote URLs.
import { describe, expect, it } from "vitest";
import { LanesError } from "../../src/errors.js";
import { Git } from "../../src/git/runner.js";
import {
  issueNumberOf,
  parseBodyDependencies,
  parseIssueRefs,
  parseLabelDependencies,
} from "../../src/github/references.js";
import { parseRemoteUrl, parseRepositorySlug } from "../../src/github/repository.js";
import { issueBranchName, MAX_SLUG_LENGTH, slugify } from "../../src/github/slug.js";

describe("parseBodyDependencies", () => {
  const cases: [string, string, number[]][] = [
    ["a colon and a list", "Depends on: #10, #11", [10, 11]],
    ["no colon", "Depends on #10", [10]],
    ["blocked by", "Blocked by #10", [10]],
    ["lower case", "depends on: #4", [4]],
    ["upper case", "BLOCKED BY: #4 #5", [4, 5]],
    ["'and' and '&'", "Depends on #1 and #2 & #3", [1, 2, 3]],
    ["a list item", "- Depends on: #7", [7]],
    ["a numbered list item", "1. Blocked by #8", [8]],
    ["bold", "**Depends on:** #9", [9]],
    ["a quote", "> Blocked by #12", [12]],
    ["several lines", "Intro.\n\nDepends on: #1\nBlocked by #2\r\nDepends on #1", [1, 2]],
    ["prose mentioning it mid-line", "This is not blocked by #5 anymore.", []],
    ["another repository's issue", "Depends on: acme/other#5", []],
    ["a number without #", "Depends on: 10", []],
    ["#0", "Depends on: #0", []],
    ["a fenced example", "```\nDepends on: #3\n```\nDepends on: #4", [4]],
    ["an empty body", "", []],
  ];
  it.each(cases)("%s", (_name, body, expected) => {
    expect(parseBodyDependencies(body)).toEqual(expected);
  });

  it("reads a null body (an issue without one) as no dependencies", () => {
    expect(parseBodyDependencies(null)).toEqual([]);
  });
});

describe("parseLabelDependencies", () => {
  it.each([
    [["depends-on/10"], [10]],
    [
      ["bug", "Depends-On/3", "depends-on/#4"],
      [3, 4],
    ],
    [["depends-on/x", "depends-on/", "depends-on/10/11", "blocked"], []],
    [["depends-on/2", "depends-on/2"], [2]],
  ])("%j -> %j", (labels, expected) => {
    expect(parseLabelDependencies(labels)).toEqual(expected);
  });
});

describe("issue numbers on the command line", () => {
  it.each([
    ["12", 12],
    ["#12", 12],
    [" 7 ", 7],
    ["0", undefined],
    ["012", undefined],
    ["12a", undefined],
    ["add-login", undefined],
    ["#", undefined],
  ])("%j -> %j", (arg, expected) => {
    expect(issueNumberOf(arg)).toBe(expected);
  });

  it("takes each issue once and refuses anything else, naming it", () => {
    expect(parseIssueRefs(["12", "#13", "12"])).toEqual([12, 13]);
    let error: unknown;
    try {
      parseIssueRefs(["12", "twelve"]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LanesError);
    expect((error as LanesError).message).toContain('"twelve"');
    expect((error as LanesError).hint).toContain("#12");
    expect((error as LanesError).exitCode).toBe(2);
  });
});

describe("slugify and lane branches", () => {
  it.each([
    ["Fix login redirect", "fix-login-redirect"],
    ["  Add: OAuth (GitHub)!  ", "add-oauth-github"],
    ["Crème brûlée à la carte", "creme-brulee-a-la-carte"],
    ["feat/x..y.lock", "feat-x-y-lock"],
    ["--- dashes ---", "dashes"],
    ["日本語", ""],
  ])("%j -> %j", (title, expected) => {
    expect(slugify(title)).toBe(expected);
  });

  it("bounds the length, ending on a whole word when one ends late enough", () => {
    const slug = slugify(
      "Make the scheduler prefer the critical path when several tasks are ready at once",
    );
    expect(slug.length).toBeLessThanOrEqual(MAX_SLUG_LENGTH);
    expect(slug).toBe("make-the-scheduler-prefer-the-critical");
    expect(slugify("a".repeat(100))).toBe("a".repeat(MAX_SLUG_LENGTH));
  });

  it("names branches lanes/<number>-<slug>, which git accepts", async () => {
    const titles = ["Fix login redirect", "日本語", "x..y.lock", `${"word ".repeat(30)}end`];
    const branches = titles.map((title, index) => issueBranchName(index + 1, title));
    expect(branches.slice(0, 2)).toEqual(["lanes/1-fix-login-redirect", "lanes/2"]);
    const git = new Git(process.cwd());
    for (const branch of branches) {
      const check = await git.run(["check-ref-format", "--branch", branch], { allowFail: true });
      expect(check.exitCode, branch).toBe(0);
    }
  });
});

describe("repository names", () => {
  it.each([
    ["https://github.com/acme/widgets.git", "acme/widgets"],
    ["https://github.com/acme/widgets", "acme/widgets"],
    ["https://github.com/acme/widgets/", "acme/widgets"],
    ["https://token@github.com/acme/widgets.git", "acme/widgets"],
    ["http://ghe.example.com/acme/my.repo.git", "acme/my.repo"],
    ["git@github.com:acme/widgets.git", "acme/widgets"],
    ["git@github.com:acme/widgets", "acme/widgets"],
    ["github.com:acme/widgets.git", "acme/widgets"],
    ["ssh://git@github.com/acme/widgets.git", "acme/widgets"],
    ["ssh://git@ghe.example.com:2222/acme/widgets.git", "acme/widgets"],
    ["git://github.com/acme/widgets.git", "acme/widgets"],
    ["/srv/git/widgets.git", undefined],
    ["../widgets", undefined],
    ["file:///srv/git/acme/widgets.git", undefined],
    ["C:\\repos\\widgets", undefined],
    ["https://github.com/widgets", undefined],
  ])("%s -> %s", (url, expected) => {
    const parsed = parseRemoteUrl(url);
    expect(parsed ? `${parsed.owner}/${parsed.name}` : undefined).toBe(expected);
  });

  it.each([
    ["acme/widgets", "acme/widgets"],
    ["acme/widgets/extra", undefined],
    ["acme", undefined],
    ["ac me/widgets", undefined],
    ["-acme/widgets", undefined],
    ["acme/..", undefined],
  ])("slug %j -> %j", (value, expected) => {
    const parsed = parseRepositorySlug(value);
    expect(parsed ? `${parsed.owner}/${parsed.name}` : undefined).toBe(expected);
  });
});
