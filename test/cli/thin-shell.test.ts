// The CLI is a thin shell over the API: its commands parse flags, call src/index.ts and render.
// Reaching into git/ or state/ from a command would grow a second engine beside the API.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const COMMANDS = path.resolve(import.meta.dirname, "../../src/cli/commands");

describe("src/cli/commands", () => {
  it.each(readdirSync(COMMANDS).filter((name) => name.endsWith(".ts")))(
    "%s imports nothing from git/ or state/",
    (name) => {
      const source = readFileSync(path.join(COMMANDS, name), "utf8");
      const imports = [...source.matchAll(/(?:from|import\()\s*"([^"]+)"/g)].map((m) => m[1]);
      expect(imports.filter((spec) => /\/(git|state)\//.test(spec ?? ""))).toEqual([]);
    },
  );
});
