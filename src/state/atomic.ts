import { open, rename, rm } from "node:fs/promises";
import path from "node:path";

let counter = 0;

/**
 * Writes a file so that a reader (or a later process after kill -9) sees either the old or the
 * new content, never a torn one: temp file in the same folder, fsync, rename over the target.
 */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${counter++}.tmp`,
  );
  const handle = await open(temp, "w");
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    // A full disk: the half-written temp file must not hold on to what little room is left.
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
