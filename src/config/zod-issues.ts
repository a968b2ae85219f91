import type { z } from "zod";

/** One line per zod issue, naming the key path the way the user wrote it (`agent.command`). */
export function describeIssues(error: z.ZodError, prefix = ""): string {
  return error.issues
    .map((issue) => {
      if (issue.code === "unrecognized_keys") {
        const where = issue.path.length > 0 ? ` in ${prefix}${issue.path.join(".")}` : "";
        return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `"${key}"`).join(", ")}${where}`;
      }
      const key =
        issue.path.length > 0 ? `${prefix}${issue.path.join(".")}` : prefix.replace(/\.$/, "");
      return key ? `${key}: ${issue.message}` : issue.message;
    })
    .join("; ");
}
