import { describe, expect, it } from "vitest";
import { JsonReporter } from "../../src/report/json.js";
import { at, capture, done, output, runStarted, started } from "./events.js";

describe("json reporter", () => {
  it("writes each event as exactly one NDJSON line and nothing else", () => {
    const sink = capture();
    const reporter = new JsonReporter(sink.out);
    const events = [
      runStarted(0, ["t01"]),
      started(0, "t01"),
      output(1, "t01", 'a line with "quotes",\nan embedded newline and ✓ unicode'),
      at(2, { type: "task_usage", taskId: "t01", tokens: { input: 10, output: 5 }, cost: 0.01 }),
      done(3, "t01", 3000),
    ];
    for (const event of events) reporter.onEvent(event);
    reporter.close();
    reporter.onEvent(done(4, "t01", 3000));

    const text = sink.text();
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.slice(0, -1).split("\n");
    expect(lines).toHaveLength(events.length);
    expect(lines.map((line) => JSON.parse(line))).toEqual(
      // undefined fields are left out, as JSON.stringify does
      events.map((event) => JSON.parse(JSON.stringify(event))),
    );
    expect(sink.writes).toHaveLength(events.length);
  });
});
