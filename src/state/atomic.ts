import { open, rename, rm } from "node:fs/promises";
import path from "node:path";

let counter = 0;

/**
 * Writes a file so that a reader (or a later process after kill -9) sees either the old or the
 * new content, never a torn one: temp file in the same folder, fsync, rename over the target.
 * `sync: false` skips the fsync where the file is committed by git at once (a task's record in
 * its lane): a kill -9 still never shows a torn file, only a power cut could, and the wait for
 * the disk under I/O load was the longest step between an agent's exit and its merge.
 */
export async function writeFileAtomic(
  file: string,
  content: string,
  { sync = true }: { sync?: boolean } = {},
): Promise<void> {
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${counter++}.tmp`,
  );
  const handle = await open(temp, "w");
  try {
    await handle.writeFile(content);
    if (sync) await handle.sync();
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
