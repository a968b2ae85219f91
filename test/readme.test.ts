// README.md is part of the contract: its CLI reference is the commands' own --help, its two
// commands exist, and CI runs exactly its test command.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script, also run by hand to rewrite the README
import { cliReference, withReference } from "../scripts/cli-reference.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");
const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("README.md", () => {
  it("holds the CLI reference exactly as --help prints it (node scripts/cli-reference.mjs --write)", () => {
    expect(withReference(readme, cliReference())).toBe(readme);
  });

  it("gives the two commands of a fresh machine, and CI runs its test command", () => {
    const scripts = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
    expect(readme).toContain("npm ci && npm run demo");
    expect(readme).toMatch(/^npm test\b/m);
    expect(scripts.demo).toContain("demo");
    expect(readFileSync(path.join(ROOT, ".ci", "run"), "utf8")).toMatch(/^npm test$/m);
  });
});
