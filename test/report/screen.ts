/**
 * A minimal terminal for live-view tests: it understands exactly what the live view may send
 * (text, newline, cursor up, clear line, colours) and fails on anything else, so a test sees
 * the screen a user would see rather than a string of escape codes.
 */
export class Screen {
  lines: string[] = [""];
  row = 0;

  write(text: string): void {
    const tokens = text.match(/\x1b\[[0-9;]*[A-Za-z]|\n|[^\x1b\n]+/g) ?? [];
    for (const token of tokens) {
      if (token === "\n") {
        this.row += 1;
        if (this.lines.length <= this.row) this.lines.push("");
      } else if (token === "\x1b[1A") {
        if (this.row === 0) throw new Error("cursor moved above the screen");
        this.row -= 1;
      } else if (token === "\x1b[2K") {
        this.lines[this.row] = "";
      } else if (/^\x1b\[[0-9;]*m$/.test(token)) {
        // colour: invisible here
      } else if (token.startsWith("\x1b")) {
        throw new Error(`unexpected escape ${JSON.stringify(token)}`);
      } else {
        this.lines[this.row] = (this.lines[this.row] ?? "") + token;
      }
    }
  }

  /** The visible lines down to the cursor's line, which the next write will use. */
  get visible(): string[] {
    return this.lines.slice(0, this.row);
  }
}
