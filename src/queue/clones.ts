/**
 * A worker's cached clones, one per repository URL under its --dir: made once, then only fetched
 * into, so that a job costs a fetch of what is new rather than a clone. Fetches into one clone go
 * one at a time (git's FETCH_HEAD and ref locks are per repository); lanes are worktrees of it.
 */
import { mkdir, stat } from "node:fs/promises";
import path from "node:path";
import { Git } from "../git/runner.js";
import { repositoryKey } from "./names.js";
import { fetchCommit, pushCommit } from "./remote.js";

export class Clone {
  readonly git: Git;
  private fetching: Promise<unknown> = Promise.resolve();
  /** Lanes being removed after their job, by path: a new lane at that path waits for it. */
  private readonly dropping = new Map<string, Promise<unknown>>();

  constructor(
    readonly repository: string,
    readonly root: string,
  ) {
    this.git = new Git(root);
  }

  /** Where this clone's lanes go: one folder per run. */
  lanesRoot(runId: string): string {
    return path.join(path.dirname(this.root), "lanes", runId);
  }

  /** Makes sure `commit` (on `ref` of the remote) is here; a failure names the remote. */
  async fetch(ref: string, commit: string): Promise<void> {
    // Most jobs start from a commit an earlier job of the run already brought here.
    const has = await this.git.run(["cat-file", "-e", `${commit}^{commit}`], { allowFail: true });
    if (has.exitCode === 0) return;
    const into = `refs/lanes-base/${ref.replace(/^refs\/heads\//, "")}`;
    const work = this.fetching.then(() =>
      fetchCommit(this.git, this.repository, ref, commit, into),
    );
    this.fetching = work.catch(() => {});
    return work;
  }

  /** Removes a finished job's lane in the background; errors are dropped (addLane clears leftovers). */
  dropLater(lane: string, remove: () => Promise<unknown>): void {
    const work = remove()
      .catch(() => {})
      .finally(() => {
        if (this.dropping.get(lane) === work) this.dropping.delete(lane);
      });
    this.dropping.set(lane, work);
  }

  /** Waits until the lane at `lane` (if one is being removed) is gone. */
  async dropped(lane: string): Promise<void> {
    await this.dropping.get(lane);
  }

  push(commit: string, branch: string, cwd: string): Promise<void> {
    return pushCommit(this.git, this.repository, commit, `refs/heads/${branch}`, cwd);
  }
}

export class Clones {
  private readonly clones = new Map<string, Promise<Clone>>();

  constructor(private readonly dir: string) {}

  get(repository: string): Promise<Clone> {
    let clone = this.clones.get(repository);
    if (!clone) {
      clone = this.open(repository);
      this.clones.set(repository, clone);
      clone.catch(() => this.clones.delete(repository));
    }
    return clone;
  }

  private async open(repository: string): Promise<Clone> {
    const root = path.join(this.dir, repositoryKey(repository), "repo");
    const made = await stat(path.join(root, ".git")).then(
      () => true,
      () => false,
    );
    const clone = new Clone(repository, root);
    if (!made) {
      await mkdir(root, { recursive: true });
      // A repository with no checkout of its own: every lane is a worktree of it.
      await clone.git.run(["init", "--quiet", root], { cwd: this.dir });
    }
    return clone;
  }
}
