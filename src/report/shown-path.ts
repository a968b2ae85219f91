// Paths in human output as the user can type them from where they stand.
import path from "node:path";

/** p relative to cwd when that is shorter, else as it is. */
export function shownPath(p: string, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, p);
  return rel !== "" && rel.length < p.length ? rel : p;
}
