/**
 * A failed verify, fed back: the part of its output a person would read (the failing tests, see
 * quality/test-output) goes into a file in the run's prompt area for the next exec prompt, its
 * first telling lines become the failure's reason, and the task goes round again up to
 * `verifyLoops` times, apart from `retries` (which stay for transient agent failures).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { failingTestExcerpt, failureHeadline } from "../quality/test-output/excerpt.js";
import { logPath, verifyOutputPath } from "../state/layout.js";
import type { AttemptFailure } from "./attempt.js";
import type { Ledger } from "./ledger.js";
import { qualityOf } from "./phases.js";
import type { TaskRuntime } from "./task-runtime.js";

export interface VerifyFeedback {
  /** The failure with the headline of the failing tests as its detail. */
  failure: AttemptFailure;
  /** Whether the task goes round again (a verify loop is left). */
  again: boolean;
}

/** Records what verify's log says failed; `again` when a loop is left. */
export async function feedBackVerify(
  ledger: Ledger,
  runtime: TaskRuntime,
  attempt: number,
  failure: AttemptFailure,
  limit: number,
): Promise<VerifyFeedback> {
  const quality = qualityOf(runtime);
  const used = quality.verifyLoops ?? 0;
  const log = logPath(ledger.dir, runtime.id, "verify", attempt);
  const output = await readFile(log, "utf8").catch(() => "");
  const excerpt = failingTestExcerpt(output);
  const file = verifyOutputPath(ledger.dir, runtime.id, used + 1);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, excerpt.text);
  quality.verifyOutputFile = file;
  const headline = failureHeadline(excerpt);
  // "`npm test` failed (1)": the detail's first part, without the one last line it used to carry.
  const command = /^`[^`]*` failed \([^)]*\)/.exec(failure.detail)?.[0] ?? "verify failed";
  const [first, ...rest] = headline.split("\n").filter(Boolean);
  const detail = [`${command}${first ? `: ${first}` : ""}`, ...rest, `(log: ${log})`].join("\n");
  const again = used < limit;
  if (again) {
    quality.verifyLoops = used + 1;
    // The attempt failed and is run again at once: a retry that spends no `retries`.
    ledger.emit({
      type: "attempt_failed",
      taskId: runtime.id,
      attempt,
      reason: failure.reason,
      detail,
      retryInMs: 0,
    });
    ledger.emit({
      type: "task_loop",
      taskId: runtime.id,
      kind: "verify",
      loop: used + 1,
      of: limit,
      why: headline.split("\n")[0] ?? command,
    });
  }
  ledger.save();
  return { failure: { ...failure, detail, retryable: false }, again };
}
