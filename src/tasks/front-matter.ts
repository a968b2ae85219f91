import { LineCounter, parseDocument } from "yaml";
import { LanesError } from "../errors.js";

export interface FrontMatter {
  data: unknown;
  body: string;
  /** The YAML text between the fences, as written. */
  yaml: string;
}

const OPENING = /^---[ \t]*\r?\n/;
// `$` stops before "\n" only, so allow the "\r" of a file saved with CRLF line ends.
const CLOSING = /^---[ \t]*\r?$/m;

/**
 * Splits `---\nYAML\n---\nbody`. Plain YAML only (the `yaml` package, no `---js` evaluation as in
 * gray-matter). Errors name the file and the line within the file, not within the YAML block.
 */
export function parseFrontMatter(text: string, file: string): FrontMatter {
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const opening = OPENING.exec(source);
  if (!opening) {
    throw new LanesError("E_TASK_YAML", `${file}:1: the task file must start with a "---" line`, {
      hint: "begin the file with ---, then `title: ...`, then --- and the task's prompt",
    });
  }
  const rest = source.slice(opening[0].length);
  const closing = CLOSING.exec(rest);
  if (!closing) {
    throw new LanesError("E_TASK_YAML", `${file}: the front matter has no closing "---" line`, {
      hint: "end the YAML block with a line holding only ---",
    });
  }
  const yaml = rest.slice(0, closing.index);
  const body = rest.slice(closing.index + closing[0].length).replace(/^\r?\n/, "");
  // error.linePos is only filled in with prettyErrors, so count lines from the error's offset.
  const lineCounter = new LineCounter();
  const document = parseDocument(yaml, { prettyErrors: false, uniqueKeys: true, lineCounter });
  const error = document.errors[0];
  if (error) {
    const line = lineCounter.linePos(error.pos[0]).line + 1; // +1: the opening fence
    const reason = error.message.split("\n")[0];
    throw new LanesError("E_TASK_YAML", `${file}:${line}: invalid YAML: ${reason}`, {
      hint: "fix the YAML syntax of the front matter (quote titles that contain ': ' or '#')",
    });
  }
  let data: unknown;
  try {
    // toJS expands aliases, refusing past yaml's own limit (an "alias bomb" of nested aliases).
    data = document.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (cause) {
    throw new LanesError(
      "E_TASK_YAML",
      `${file}: the front matter cannot be read: ${(cause as Error).message}`,
      {
        hint: "write the front matter as plain keys and values, without YAML aliases (*name)",
        cause,
      },
    );
  }
  return { data, body, yaml };
}
