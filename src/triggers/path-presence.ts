import { lstat } from 'node:fs/promises';
import type { Clock } from '../common/clock';

/** What is at a path, or null; a new `key` means it was replaced. */
export type PathIdentity = { key: string; isDirectory: boolean } | null;

/** lstat, like restic: a symlink given as a backup path is saved as the link itself. */
export async function probePath(path: string): Promise<PathIdentity> {
  try {
    const stats = await lstat(path);
    const isDirectory = stats.isDirectory();
    return { key: `${stats.dev}:${stats.ino}:${isDirectory ? 'dir' : 'other'}`, isDirectory };
  } catch {
    return null;
  }
}

export interface PresenceListener {
  /** The path exists; `initial` when it did at the first look. */
  present(initial: boolean, isDirectory: boolean): void;
  /** The path does not exist; `initial` when it did not at the first look. */
  absent(initial: boolean): void;
}

/**
 * Looks at one watched path every `intervalMs` and says when it appears, disappears or is replaced
 * (deleted and created again between two looks: absent then present). File-system watchers cannot
 * watch what does not exist, and die with the folder they watch, so the watched paths themselves
 * are polled: one lstat per path per interval, whatever the size of the tree below.
 */
export class PathPresence {
  private identity: PathIdentity = null;
  private stopPolling: (() => void) | null = null;
  private checking = false;
  private stopped = false;

  constructor(
    private readonly path: string,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly listener: PresenceListener,
    private readonly probe: (path: string) => Promise<PathIdentity> = probePath,
  ) {}

  /** Takes the first look (reported with `initial`) and starts polling. */
  async start(): Promise<void> {
    this.identity = await this.probe(this.path);
    if (this.stopped) return;
    if (this.identity) this.listener.present(true, this.identity.isDirectory);
    else this.listener.absent(true);
    this.stopPolling = this.clock.setInterval(() => void this.check(), this.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    this.stopPolling?.();
    this.stopPolling = null;
  }

  private async check(): Promise<void> {
    // a slow disk must not stack up looks
    if (this.checking) return;
    this.checking = true;
    try {
      const identity = await this.probe(this.path);
      if (this.stopped || identity?.key === this.identity?.key) return;
      const previous = this.identity;
      this.identity = identity;
      if (previous) this.listener.absent(false);
      if (identity) this.listener.present(false, identity.isDirectory);
    } finally {
      this.checking = false;
    }
  }
}
