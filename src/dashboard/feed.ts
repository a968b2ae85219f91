// One run as the dashboard follows it: events.ndjson tailed from where it was last read (so a
// run started by another process, or resumed, is followed just the same), and the report model
// rebuilt whenever the run moves. Polling, not fs.watch: watch events are lost on some systems.
import { open, stat } from "node:fs/promises";
import path from "node:path";
import { buildReportModel, type ReportModel } from "../report/html/model.js";
import { parseEvents, readReportInput } from "../report/html/records.js";
import type { LanesEvent } from "../run/events.js";
import { runDir } from "../state/layout.js";
import { readRun } from "../state/runs.js";

export class RunFeed {
  private offset = 0;
  private events: LanesEvent[] = [];
  private partial = "";
  private stateStamp = "";

  constructor(
    private readonly repoRoot: string,
    readonly runId: string,
  ) {}

  /** New complete events since the last call (all of them the first time). */
  async newEvents(): Promise<LanesEvent[]> {
    const file = path.join(runDir(this.repoRoot, this.runId), "events.ndjson");
    const size = await stat(file).then(
      (s) => s.size,
      () => 0,
    );
    if (size < this.offset) {
      // Replaced, not appended to: read it again from the start.
      this.offset = 0;
      this.partial = "";
      this.events = [];
    }
    if (size === this.offset) return [];
    const handle = await open(file, "r");
    try {
      const buffer = Buffer.alloc(size - this.offset);
      await handle.read(buffer, 0, buffer.length, this.offset);
      this.offset = size;
      const text = this.partial + buffer.toString("utf8");
      const cut = text.lastIndexOf("\n") + 1;
      this.partial = text.slice(cut);
      const fresh = parseEvents(text.slice(0, cut));
      this.events.push(...fresh);
      return fresh;
    } finally {
      await handle.close();
    }
  }

  /** Whether run.json changed since the last model (a status the events do not carry). */
  async stateChanged(): Promise<boolean> {
    const file = path.join(runDir(this.repoRoot, this.runId), "run.json");
    const stamp = await stat(file).then(
      (s) => `${s.mtimeMs}:${s.size}`,
      () => "",
    );
    const changed = stamp !== this.stateStamp;
    this.stateStamp = stamp;
    return changed;
  }

  /** The model as of now, from the events read so far. */
  async model(): Promise<ReportModel> {
    const { live } = await readRun(this.repoRoot, this.runId);
    const input = await readReportInput(this.repoRoot, this.runId, { live });
    return buildReportModel({ ...input, events: this.events });
  }
}
