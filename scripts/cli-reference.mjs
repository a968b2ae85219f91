// Prints the CLI reference from the commands' own --help, or with --write puts it into README.md
// between the cli-reference markers (test/readme.test.ts checks that the two agree).
import { readFileSync, writeFileSync } from "node:fs";
import { buildProgram } from "../dist/cli/program.js";

export function cliReference() {
  const program = buildProgram();
  const sections = [["lanes", program.helpInformation()]];
  for (const command of program.commands)
    sections.push([`lanes ${command.name()}`, command.helpInformation()]);
  return sections
    .map(([name, help]) => `### \`${name}\`\n\n\`\`\`\n${help.trimEnd()}\n\`\`\`\n`)
    .join("\n");
}

const START = "<!-- cli-reference:start -->";
const END = "<!-- cli-reference:end -->";

export function withReference(readme, reference) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error("README.md has no cli-reference markers");
  return `${readme.slice(0, start + START.length)}\n${reference}${readme.slice(end)}`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  const reference = cliReference();
  if (process.argv.includes("--write")) {
    const file = new URL("../README.md", import.meta.url);
    writeFileSync(file, withReference(readFileSync(file, "utf8"), reference));
  } else process.stdout.write(reference);
}
