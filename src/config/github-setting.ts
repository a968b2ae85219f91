/**
 * The `github` and `pr` settings' shapes. `github` says where GitHub is when the environment does
 * not (`GITHUB_REPOSITORY`, `GITHUB_API_URL`), which remote lanes pushes to, and whether writes are
 * paced as GitHub asks (off only for a server without GitHub's limits, such as the tests' stand-in).
 * `pr` says what a run leaves on GitHub: nothing, a pull request per task, or one for the run.
 */
import { z } from "zod";

export const GithubSettingSchema = z.strictObject({
  repository: z.string().min(1).optional(),
  apiUrl: z.string().min(1).optional(),
  remote: z.string().min(1).optional(),
  paceWrites: z.boolean().optional(),
});
export type GithubSetting = z.infer<typeof GithubSettingSchema>;

/** `true` and `"task"`: a pull request per done task; `"run"`: one for the integration branch. */
export const PrSettingSchema = z.union([z.boolean(), z.enum(["task", "run"])]);
export type PrSetting = z.infer<typeof PrSettingSchema>;

/** What a `pr` value asks for, in one word. */
export function prMode(value: PrSetting | undefined): "off" | "task" | "run" {
  if (value === "run") return "run";
  return value === true || value === "task" ? "task" : "off";
}
