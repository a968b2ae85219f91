/**
 * An agent's stdout written by the agent itself straight into its log file, when nobody in lanes
 * reads its lines (a custom command, no live output): its bytes then never pass through lanes,
 * which with dozens of agents printing hundreds of megabytes is what lanes' memory goes on (a
 * buffer per pipe read, and the young generation the garbage makes V8 grow). The log is opened
 * for appending, as lanes' own writes (stderr) are, so both land whole and in the order written.
 * What lanes still needs of the output — the last lines for a failure's reason — is read back
 * from the file's end once the agent is done.
 */
import { type FileHandle, open } from "node:fs/promises";

/** How much of the log's end is read back for the tail (OutputTail keeps the last 16 KiB). */
const TAIL_READ_BYTES = 32 * 1024;

export interface DirectLog {
  /** The descriptor the child gets as its stdout. */
  readonly fd: number;
  /** Where this attempt's output starts in the log: an earlier attempt's lines are not its tail. */
  readonly start: number;
  /** The parent's copy goes once the child has its own (right after spawn). */
  close(): Promise<void>;
}

export async function openDirectLog(logPath: string): Promise<DirectLog> {
  const handle: FileHandle = await open(logPath, "a");
  const { size } = await handle.stat();
  let closed: Promise<void> | undefined;
  return {
    fd: handle.fd,
    start: size,
    close: () => {
      closed ??= handle.close().catch(() => {});
      return closed;
    },
  };
}

/** The last bytes this attempt wrote to the log (after `start`), for the output's tail. */
export async function readLogEnd(logPath: string, start: number): Promise<Buffer> {
  const handle = await open(logPath, "r").catch(() => undefined);
  if (!handle) return Buffer.alloc(0);
  try {
    const { size } = await handle.stat();
    const length = Math.max(0, Math.min(TAIL_READ_BYTES, size - start));
    const bytes = Buffer.alloc(length);
    const { bytesRead } = await handle.read(bytes, 0, length, size - length);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
