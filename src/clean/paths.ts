// Path checks shared by gathering and removing: lanes only touches what is inside its folders.
import { realpath } from "node:fs/promises";
import path from "node:path";

/** The real path (links resolved), or the absolute path when it does not exist. */
export async function realOr(p: string): Promise<string> {
  return realpath(p).catch(() => path.resolve(p));
}

/** Whether child lies strictly inside parent (not parent itself). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}
