/**
 * The process groups this run has alive (agents, verify commands), so that nothing outlives
 * lanes even when it exits at once (a second Ctrl-C calls process.exit): an `exit` listener
 * SIGKILLs whatever is still listed, synchronously, as the process goes.
 */
import { killProcessGroupNow } from "../agents/process-group.js";

export class LiveGroups {
  private readonly groups = new Set<number>();
  private listening = false;
  private readonly onExit = (): void => {
    for (const pgid of this.groups) killProcessGroupNow(pgid);
  };

  add(pgid: number): void {
    this.groups.add(pgid);
    // Listening from the first process on: a run that never started one leaves no listener.
    if (!this.listening) process.on("exit", this.onExit);
    this.listening = true;
  }

  delete(pgid: number | undefined): void {
    if (pgid !== undefined) this.groups.delete(pgid);
  }

  dispose(): void {
    process.off("exit", this.onExit);
    this.listening = false;
  }
}
