import { describe, expect, it } from "vitest";
import { displayWidth, sanitizeLine, stripAnsi, truncate } from "../../src/report/text.js";

const FAMILY = "👩‍👩‍👧‍👦"; // four emoji joined by ZWJ: one glyph, two columns
const FLAG = "🇫🇷"; // two regional indicators: one glyph, two columns

describe("terminal text", () => {
  it.each([
    ["plain ASCII", "hello", 5],
    ["an emoji ZWJ sequence", FAMILY, 2],
    ["a flag", FLAG, 2],
    ["an emoji with variation selector", "❤️", 2],
    ["CJK text", "漢字テスト", 10],
    ["Hangul", "한국어", 6],
    ["a combining accent", "e\u0301", 1],
    ["colour codes", "\x1b[31mred\x1b[39m", 3],
    ["mixed", `ok ${FAMILY} 漢字`, 10],
  ])("counts the columns of %s", (_, text, width) => {
    expect(displayWidth(text)).toBe(width);
  });

  it("cuts between graphemes, never inside an emoji sequence or a wide character", () => {
    expect(truncate(`ab${FAMILY}cd`, 4)).toBe("ab…");
    expect(truncate(`ab${FAMILY}cd`, 5)).toBe(`ab${FAMILY}…`);
    expect(truncate("漢字テスト", 6)).toBe("漢字…");
    expect(truncate("漢字テスト", 5)).toBe("漢字…");
    expect(truncate("漢字テスト", 10)).toBe("漢字テスト");
    for (const width of [1, 2, 3, 4, 5, 6, 7]) {
      expect(displayWidth(truncate(`x${FAMILY}漢字${FLAG}y`, width))).toBeLessThanOrEqual(width);
    }
  });

  it("keeps colour codes uncounted and resets colour after a cut", () => {
    expect(truncate("\x1b[32mgreen text\x1b[39m", 6)).toBe("\x1b[32mgreen…\x1b[0m");
    expect(truncate("\x1b[32mgreen\x1b[39m", 5)).toBe("\x1b[32mgreen\x1b[39m");
  });

  it("strips escape sequences and control characters from agent output", () => {
    expect(
      stripAnsi("\x1b]0;title\x07a\x1b]8;;https://x\x1b\\link\x1b]8;;\x1b\\ \x1b[1mb\x1b[0m"),
    ).toBe("alink b");
    expect(sanitizeLine("50%\r100%\r")).toBe("100%");
    expect(sanitizeLine("a\tb\x07c")).toBe("a  bc");
  });
});
