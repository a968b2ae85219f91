import { formatDuration } from "../config/duration.js";
import type { LanesEvent, TaskRunStatus } from "../run/events.js";
import { type Colors, colors } from "./colors.js";
import { doneText, eventLine, SYMBOL } from "./lines.js";
import { RunProgress, type TaskView } from "./progress.js";
import { type Output, type Reporter, TICK_MS } from "./reporter.js";
import { displayWidth, sanitizeLine, truncate } from "./text.js";

/*
 * The live view is hand-written rather than built on a TUI framework (ink, blessed, listr):
 * all it needs is to erase a few lines and write them again (cursor up, clear line), which is a
 * screenful of code, while a framework would bring React or a widget tree, its own idea of
 * stdin and signals (lanes owns Ctrl-C), and dependencies into every install.
 */

export interface LiveReporterOptions {
  out: Output;
  now: () => number;
  /** Terminal width; a function is read at every redraw, so a resize is picked up. */
  columns: number | (() => number);
  /** Terminal height, when known: the region never grows taller than the screen. */
  rows?: number | (() => number);
  color?: boolean;
  /** Also print agent output above the region, `[t01] ...` (`--stream` in a terminal). */
  stream?: boolean;
  /** At most one redraw per this many milliseconds; default TICK_MS (100). */
  minRedrawMs?: number;
  /** The progress line wraps onto at most this many lines; default 3. */
  maxProgressLines?: number;
}

const PERMANENT = new Set<LanesEvent["type"]>([
  "run_started",
  "attempt_failed",
  "task_finished",
  "concurrency_changed",
  "run_stopping",
  "warning",
  "processes_ended",
  "files_overlap",
  "lane_setup",
  "pull_request",
]);

const UP_AND_CLEAR = "\x1b[1A\x1b[2K";

/**
 * The terminal view: a region at the bottom, redrawn in place, with one line per agent (elapsed
 * time and what it does now), one per task being landed (the step: committing, verifying,
 * merging), a progress line (`#t01 ✓ #t02 ⏳ #t03 ⇢ ...`) and a count (`2 of 10 done · agents
 * 2/3`). Lines that stay true (a task finished, a retry, the run's start) are printed above the
 * region and are never erased. Writing happens in `tick` and `close`, so that redraws are
 * throttled and a test decides when a frame is drawn; only a stop, the run's end and a notice
 * draw at once, and the run's end empties the region for the summary.
 */
export class LiveReporter implements Reporter {
  private readonly progress = new RunProgress();
  private readonly out: Output;
  private readonly c: Colors;
  private readonly options: LiveReporterOptions;
  private pending: string[] = [];
  /** The region as last drawn, to erase it and to skip redraws that would change nothing. */
  private drawn: string[] = [];
  private drawnColumns = 0;
  private lastDrawAt: number | undefined;
  private closed = false;

  constructor(options: LiveReporterOptions) {
    this.options = options;
    this.out = options.out;
    this.c = colors(options.color ?? false);
  }

  onEvent(event: LanesEvent): void {
    if (this.closed) return;
    this.progress.apply(event);
    if (PERMANENT.has(event.type)) {
      const line = eventLine(event, this.progress, this.c);
      if (line !== undefined) this.pending.push(line);
    }
    if (this.options.stream && event.type === "task_output") {
      for (const line of event.line.replace(/\r?\n$/, "").split(/\r?\n/)) {
        this.pending.push(`${this.c.cyan(`[${event.taskId}]`)} ${sanitizeLine(line)}`.trimEnd());
      }
    }
    // A stop and the end are shown at once: after them the user waits on, or leaves, the view.
    if (event.type === "run_stopping" || event.type === "run_finished") {
      this.draw(this.region(event.time), event.time);
    }
  }

  /**
   * A line from outside the event stream (the CLI's "stopping" notice), printed above the
   * region at once. Anything else written to the terminal while the region is drawn would
   * shift it, and the next redraw would erase the wrong lines and leave rows behind.
   */
  notice(line: string): void {
    if (this.closed) return;
    this.pending.push(line);
    const now = this.options.now();
    this.draw(this.region(now), now);
  }

  tick(now: number): void {
    if (this.closed) return;
    const throttle = this.options.minRedrawMs ?? TICK_MS;
    if (this.lastDrawAt !== undefined && now - this.lastDrawAt < throttle) return;
    this.draw(this.region(now), now);
  }

  /** Erases the region and prints what is pending; the permanent lines stay. */
  close(): void {
    if (this.closed) return;
    this.draw([], this.options.now());
    this.closed = true;
  }

  private draw(region: string[], now: number): void {
    const columns = this.columns();
    const same =
      region.length === this.drawn.length && region.every((line, i) => line === this.drawn[i]);
    if (this.pending.length === 0 && same && columns === this.drawnColumns) return;
    let text = UP_AND_CLEAR.repeat(this.drawnHeight(columns));
    for (const line of [...this.pending, ...region]) text += `${line}\n`;
    if (text !== "") this.out.write(text);
    this.pending = [];
    this.drawn = region;
    this.drawnColumns = columns;
    this.lastDrawAt = now;
  }

  /** Screen lines the drawn region takes now: after a resize, a line may have wrapped. */
  private drawnHeight(columns: number): number {
    return this.drawn.reduce(
      (sum, line) => sum + Math.max(1, Math.ceil(displayWidth(line) / columns)),
      0,
    );
  }

  private columns(): number {
    const { columns } = this.options;
    return Math.max(20, typeof columns === "function" ? columns() : columns);
  }

  private rows(): number | undefined {
    const { rows } = this.options;
    return typeof rows === "function" ? rows() : rows;
  }

  /**
   * Agent rows (one per slot in use), then the tasks being landed or waiting for a retry, the
   * progress line and the count. Landing rows hold no slot, so the agent rows never outnumber
   * the concurrency. After the run finished the region is empty: the summary takes over.
   */
  private region(now: number): string[] {
    if (this.progress.runId === undefined || this.progress.finished) return [];
    // One column spare: writing into the last column makes some terminals wrap early.
    const width = this.columns() - 1;
    const footer = [...this.progressLines(width), truncate(this.statusLine(), width)];
    const tasks = [
      ...this.progress.agents(),
      ...this.progress.landing(),
      ...this.progress.retrying(),
    ];
    const idWidth = Math.max(0, ...tasks.map((task) => task.id.length));
    let lines = tasks.map((task) => truncate(this.taskLine(task, idWidth, now), width));
    const rows = this.rows();
    if (rows !== undefined) {
      const room = Math.max(1, rows - 1 - footer.length);
      if (lines.length > room) {
        const more = lines.length - (room - 1);
        lines = [...lines.slice(0, room - 1), this.c.dim(`  … ${more} more in progress`)];
      }
    }
    return [...lines, ...footer];
  }

  /** `2 of 10 done · agents 2/3 · 1 landing`, and why the run stops once it does. */
  private statusLine(): string {
    const parts = [doneText(this.progress)];
    parts.push(`agents ${this.progress.agents().length}/${this.progress.concurrency}`);
    const landing = this.progress.landing().length;
    if (landing > 0) parts.push(`${landing} landing`);
    if (this.progress.stopping !== undefined) {
      parts.push(this.c.yellow(`stopping: ${this.progress.stopping}`));
    }
    return parts.join(this.c.dim(" · "));
  }

  private taskLine(task: TaskView, idWidth: number, now: number): string {
    const id = task.id.padEnd(idWidth);
    if (task.step === "retry") {
      const wait = Math.max(0, (task.retryAt ?? now) - now);
      return `${this.c.yellow(SYMBOL.retry)} ${id}  ${this.c.dim(`retry in ${seconds(wait)}`)}`;
    }
    if (task.step !== "agent") {
      const elapsed = seconds(now - (task.stepAt ?? now));
      return `${this.c.cyan(SYMBOL.landing)} ${id}  ${task.step}  ${elapsed}`;
    }
    const loop = task.loop
      ? ` (${task.loop})`
      : task.attempt > 1
        ? ` (attempt ${task.attempt})`
        : "";
    const phase = `${task.phase}${loop}${task.worker ? ` on ${task.worker}` : ""}`;
    const elapsed = seconds(now - (task.startedAt ?? now));
    const doing = task.activity ?? task.lastLine;
    return `${SYMBOL.running} ${id}  ${phase}  ${elapsed}${doing ? `  ${this.c.dim(doing)}` : ""}`;
  }

  /** `#t01 ✓ #t02 ⏳ #t03 · ...`, wrapped at item boundaries, `… +N` when it does not fit. */
  private progressLines(width: number): string[] {
    const items = [...this.progress.tasks.values()].map((task) => ({
      text: truncate(`#${task.id}`, width - 2),
      task,
    }));
    const maxLines = Math.max(1, this.options.maxProgressLines ?? 3);
    const lines: (typeof items)[] = [];
    let used = 0;
    for (const item of items) {
      const w = displayWidth(item.text) + 1 + displayWidth(taskSymbol(item.task));
      const current = lines[lines.length - 1];
      if (current && used + 1 + w <= width) {
        current.push(item);
        used += 1 + w;
      } else {
        lines.push([item]);
        used = w;
      }
    }
    const render = (line: typeof items) =>
      line.map((item) => `${item.text} ${this.symbol(item.task)}`).join(" ");
    if (lines.length <= maxLines) return lines.map(render);
    const shown = lines.slice(0, maxLines);
    const last = shown[maxLines - 1]!;
    const hidden = () => items.length - shown.reduce((sum, line) => sum + line.length, 0);
    while (last.length > 1 && displayWidth(`${render(last)} … +${hidden()}`) > width) {
      last.pop();
    }
    return shown.map((line, i) =>
      i === maxLines - 1 ? `${render(line)} … +${hidden()}` : render(line),
    );
  }

  private symbol(task: TaskView): string {
    const symbol = taskSymbol(task);
    if (task.status === "done") return this.c.green(symbol);
    if (task.status === "failed") return this.c.red(symbol);
    if (task.status === "skipped" || task.step === "retry") return this.c.yellow(symbol);
    if (task.status === "pending") return this.c.dim(symbol);
    if (task.step !== "agent") return this.c.cyan(symbol);
    return symbol;
  }
}

/** A task's mark in the progress line: a running task shows where it is. */
function taskSymbol(task: TaskView): string {
  if (task.status !== "running") return STATUS_SYMBOL[task.status];
  if (task.step === "retry") return SYMBOL.retry;
  if (task.step === "agent" || task.step === undefined) return SYMBOL.running;
  return SYMBOL.landing;
}

const STATUS_SYMBOL: Record<TaskRunStatus, string> = {
  pending: SYMBOL.pending,
  running: SYMBOL.running,
  done: SYMBOL.done,
  failed: SYMBOL.failed,
  skipped: SYMBOL.skipped,
};

/** Whole seconds: the live view would otherwise redraw for every millisecond under 1 s. */
function seconds(ms: number): string {
  return ms < 1000 ? "0s" : formatDuration(Math.floor(ms / 1000) * 1000);
}
