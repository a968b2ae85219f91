/**
 * The `queue` setting (issue 14): where the shared queue is (a redis:// or rediss:// URL, with
 * a password when it has one), the remote that coordinator and workers exchange commits through,
 * how long a run waits for a queue that went away, where verify runs, and how long a worker's
 * lease on a job lasts before another worker may take it. Written as a URL alone (`--queue`,
 * `LANES_QUEUE=redis://…`) or as an object; layers merge field by field, so that `--queue URL`
 * keeps the project's `remote`. Defaults are filled in by `queueSettings()`, not here, so that a
 * layer holds only what it says.
 */
import { z } from "zod";
import { parseDuration } from "./duration.js";

export const QUEUE_DEFAULTS = {
  remote: "origin",
  timeout: "5m",
  verifyOn: "workers",
  lock: "30s",
} as const;

/** A URL lanes can reach Redis at: redis:// or rediss:// (TLS), a host, an optional port. */
export function whyNotQueueUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:")
    return `uses ${url.protocol.replace(/:$/, "")}://, where redis:// or rediss:// (TLS) is needed`;
  if (url.hostname === "") return "names no host";
  const db = url.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d+$/.test(db))
    return `has the path /${db}, where only a database number may go`;
  return undefined;
}

const url = z.string().superRefine((text, ctx) => {
  const why = whyNotQueueUrl(text);
  if (why)
    ctx.addIssue({ code: "custom", message: `${text.replace(/\/\/[^@/]*@/, "//***@")} ${why}` });
});

const duration = z.string().refine((text) => parseDuration(text) !== undefined, {
  message: "expected a duration such as 90s, 10m or 1h",
});

const QueueObjectSchema = z.strictObject({
  url: url.describe("redis://[user:password@]host:port[/db], or rediss:// for TLS").optional(),
  remote: z
    .string()
    .min(1)
    .describe("the git remote lanes pushes to and workers fetch from (default origin)")
    .optional(),
  timeout: duration
    .describe("a run whose queue is gone this long stops as interrupted (default 5m)")
    .optional(),
  verifyOn: z
    .enum(["workers", "coordinator"])
    .describe("where verify runs (default workers)")
    .optional(),
  lock: duration
    .describe(
      "a worker's lease on a job: a dead worker's job goes to another after this long (default 30s)",
    )
    .optional(),
});

type QueueLayerFields = z.output<typeof QueueObjectSchema>;

/** A URL alone, or the object; both come out as the object (one layer's fields only). */
export const QueueSettingSchema = z.union([
  url.transform((text): QueueLayerFields => ({ url: text })),
  QueueObjectSchema,
]);

export type QueueLayer = z.output<typeof QueueObjectSchema>;

/** The `queue` setting as a run or a worker uses it: every field filled in, durations in ms. */
export interface QueueSetting {
  url: string | undefined;
  remote: string;
  timeoutMs: number;
  verifyOn: "workers" | "coordinator";
  lockMs: number;
}

export function queueSettings(layer: QueueLayer | undefined): QueueSetting {
  return {
    url: layer?.url,
    remote: layer?.remote ?? QUEUE_DEFAULTS.remote,
    timeoutMs: parseDuration(layer?.timeout ?? QUEUE_DEFAULTS.timeout)!,
    verifyOn: layer?.verifyOn ?? QUEUE_DEFAULTS.verifyOn,
    lockMs: parseDuration(layer?.lock ?? QUEUE_DEFAULTS.lock)!,
  };
}
