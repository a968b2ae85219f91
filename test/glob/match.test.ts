import { describe, expect, it } from "vitest";
import { globMatches, globMayMatchUnder, globsOverlap } from "../../src/glob/match.js";
import { expandBraces, hasGlobSyntax, MAX_ALTERNATIVES } from "../../src/glob/pattern.js";

describe("globMatches", () => {
  it.each([
    [".env", ".env", true],
    ["./.env", ".env", true],
    ["/certs/", "certs", true],
    ["*.pem", "key.pem", true],
    ["*.pem", "certs/key.pem", false],
    ["**/*.pem", "certs/key.pem", true],
    ["**/*.pem", "key.pem", true],
    ["packages/*/node_modules", "packages/web/node_modules", true],
    ["packages/*/node_modules", "packages/web/lib/node_modules", false],
    ["packages/**/node_modules", "packages/web/lib/node_modules", true],
    ["src/?.ts", "src/a.ts", true],
    ["src/?.ts", "src/ab.ts", false],
    ["[abc].txt", "b.txt", true],
    ["[!abc].txt", "b.txt", false],
    ["[a-c].txt", "d.txt", false],
    ["{.env,.env.local}", ".env.local", true],
    ["config/{dev,prod}/*.json", "config/prod/db.json", true],
    ["config/{dev,prod}/*.json", "config/test/db.json", false],
    ["a\\*b", "a*b", true],
    ["a\\*b", "axb", false],
    ["*", ".hidden", true],
    ["[unclosed", "[unclosed", true],
    ["{solo}", "{solo}", true],
  ])("%s against %s: %s", (pattern, path, expected) => {
    expect(globMatches(pattern, path)).toBe(expected);
  });
});

describe("globMayMatchUnder", () => {
  it("walks only into folders where the pattern can still match", () => {
    expect(globMayMatchUnder("packages/*/node_modules", "packages")).toBe(true);
    expect(globMayMatchUnder("packages/*/node_modules", "packages/web")).toBe(true);
    expect(globMayMatchUnder("packages/*/node_modules", "src")).toBe(false);
    expect(globMayMatchUnder("packages/*/node_modules", "packages/web/node_modules")).toBe(false);
    expect(globMayMatchUnder("**/.env", "deep/down")).toBe(true);
    expect(globMayMatchUnder(".env", "anything")).toBe(false);
  });
});

describe("globsOverlap", () => {
  it.each([
    ["src/auth.ts", "src/auth.ts", true],
    ["src/auth.ts", "src/db.ts", false],
    // A path names itself and everything under it.
    ["src", "src/auth.ts", true],
    ["src/auth", "src/auth.ts", false],
    ["src/*.ts", "src/auth.ts", true],
    ["src/*.ts", "src/auth.js", false],
    ["src/*.ts", "src/**", true],
    ["src/**", "test/**", false],
    ["**/*.md", "docs/guide.md", true],
    ["docs/*.md", "src/**/*.ts", false],
    // Conservative: a folder may be called `notes.md`, and src/notes.md/x.ts matches both.
    ["**/*.md", "src/**/*.ts", true],
    ["a/*", "a/b/c", true],
    ["*.json", "package.json", true],
    ["*.json", "src/x.json", false],
    ["src/*-auth.ts", "src/login-*.ts", true],
    ["src/a*b.ts", "src/c*d.ts", false],
    ["lib/[ab]*.ts", "lib/[cd]*.ts", false],
    ["lib/[ab]*.ts", "lib/[b-z]*.ts", true],
    ["lib/[!a]*.ts", "lib/a.ts", false],
    ["{src,lib}/util.ts", "lib/**", true],
    ["**", "anything/at/all", true],
    ["a/**/b", "a/b", true],
    ["*/x", "y/*", true],
    ["a?", "abc", false],
    ["**/test/**", "src/**", true],
    ["src/**/*.test.ts", "src/**/*.spec.ts", true],
    ["src/*.test.ts", "src/*.spec.ts", false],
  ])("%s and %s: %s", (a, b, expected) => {
    expect(globsOverlap(a, b)).toBe(expected);
    expect(globsOverlap(b, a)).toBe(expected);
  });
});

describe("patterns", () => {
  it("tells a glob from a plain path", () => {
    expect(hasGlobSyntax("node_modules")).toBe(false);
    expect(hasGlobSyntax(".env.local")).toBe(false);
    expect(hasGlobSyntax("**/.env")).toBe(true);
    expect(hasGlobSyntax("{a,b}")).toBe(true);
  });

  it("expands nested braces and refuses an explosion", () => {
    expect(expandBraces("a{b,c{d,e}}f")).toEqual(["abf", "acdf", "acef"]);
    expect(() => expandBraces("{a,b,c,d}".repeat(5))).toThrow(
      new RegExp(`more than ${MAX_ALTERNATIVES}`),
    );
  });
});
