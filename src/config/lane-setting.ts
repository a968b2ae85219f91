/**
 * The `lane` setting's shape: what makes a fresh worktree a working checkout (files copied or
 * linked from the main checkout, a setup and a teardown command), the block of ports each
 * running lane gets, and in a monorepo the folders it checks out (`sparse`). One object in the settings table; every field has its default here, so that
 * `"lane": { "link": ["node_modules"] }` still gets 10 ports from 4100 and a 10m setup timeout.
 * `setupTimeout` is written as a duration and resolved to `setupTimeoutMs`, like the top-level
 * durations, so that nothing downstream parses it again.
 */
import { z } from "zod";
import { normalizeFolder, sparseFolderProblem } from "../lane/sparse-cone.js";
import { argv } from "./agent-setting.js";
import { parseDuration } from "./duration.js";

const command = z.union([z.string().min(1), argv]);
const paths = z.array(z.string().min(1));
const port = z.number().int().min(1).max(65_535);
/** Folders from the root for git's cone mode; each bad entry named with why (sparse-cone.ts). */
const folders = z
  .array(z.string(), { error: 'must be a list of folders, e.g. ["packages/web"]' })
  .superRefine((entries, context) => {
    entries.forEach((entry, index) => {
      const problem = sparseFolderProblem(entry);
      if (problem) context.addIssue({ code: "custom", message: problem, path: [index] });
    });
  });

export const LANE_DEFAULTS = {
  setupTimeout: "10m",
  ports: 10,
  portBase: 4100,
  setPort: true,
} as const;

export const LaneSettingSchema = z
  .strictObject({
    copy: paths
      .describe("paths or globs (from the root) of ignored files copied into each lane, e.g. .env")
      .optional(),
    link: paths
      .describe("paths or globs of ignored folders symlinked into each lane, e.g. node_modules")
      .optional(),
    setup: command
      .describe(
        "run once in each new lane before its agent: sh -c for a string, an argv for an array",
      )
      .optional(),
    setupTimeout: z
      .string()
      .refine((text) => parseDuration(text) !== undefined, {
        message: "expected a duration such as 90s, 10m or 1h",
      })
      .describe("end a setup after this long (default 10m)")
      .optional(),
    teardown: command.describe("run when a lane is removed (best effort, logged)").optional(),
    ports: z.number().int().positive().max(1000).describe("ports per lane (default 10)").optional(),
    portBase: port.describe("the first port of the first lane's block (default 4100)").optional(),
    setPort: z.boolean().describe("also set PORT to LANES_PORT (default true)").optional(),
    sparse: folders
      .describe(
        "folders (from the root) each lane checks out with a sparse-checkout cone, for monorepos; a task's `files` narrow it to the folders they reach into",
      )
      .optional(),
  })
  .transform(({ setupTimeout, ...lane }) => ({
    copy: lane.copy ?? [],
    link: lane.link ?? [],
    setup: lane.setup,
    setupTimeoutMs: parseDuration(setupTimeout ?? LANE_DEFAULTS.setupTimeout)!,
    teardown: lane.teardown,
    ports: lane.ports ?? LANE_DEFAULTS.ports,
    portBase: lane.portBase ?? LANE_DEFAULTS.portBase,
    setPort: lane.setPort ?? LANE_DEFAULTS.setPort,
    // An empty list means what no list means: the whole tree.
    sparse: lane.sparse?.length ? lane.sparse.map(normalizeFolder) : undefined,
  }));

/** The `lane` setting as a run uses it: every field filled in, the timeout in milliseconds. */
export type LaneSetting = z.output<typeof LaneSettingSchema>;
