import { Injectable, Logger } from '@nestjs/common';
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import type { Stats } from 'node:fs';
import { join, sep } from 'node:path';
import { Clock } from '../common/clock';
import { PathPresence, type PresenceListener } from './path-presence';

export interface WatchOptions {
  /** true for absolute paths whose changes do not matter; an ignored folder is not descended */
  ignore: (path: string) => boolean;
  /** called for every change notification (several for one write, none for ignored paths) */
  onChange: (path: string) => void;
  onError: (error: Error) => void;
  /** once every existing path has been scanned (missing ones count as ready) */
  onReady?: () => void;
}

/** How often each watched path itself is looked at, to notice it appear, vanish or be replaced. */
export const PRESENCE_POLL_MS = 1000;

/**
 * Watches folders and files for changes; the only code that uses chokidar. The initial scan is
 * not reported, only what changes afterwards. Paths that do not exist yet are watched from the
 * moment they appear, and a watched path that is deleted is watched again when it comes back.
 */
@Injectable()
export class FileWatcher {
  private readonly logger = new Logger(FileWatcher.name);

  constructor(private readonly clock: Clock) {}

  /** Starts watching `paths` (absolute); the returned function stops it. */
  watch(paths: string[], options: WatchOptions): () => Promise<void> {
    const unique = [...new Set(paths)];
    let waiting = unique.length;
    const rootReady = () => {
      waiting -= 1;
      if (waiting === 0) options.onReady?.();
    };
    if (waiting === 0) options.onReady?.();
    const roots = unique.map((path) => new WatchedRoot(path, options, this.clock, this.logger));
    for (const root of roots) root.start(rootReady);
    return async () => {
      await Promise.all(roots.map((root) => root.close()));
    };
  }
}

/** One watched path: a chokidar watcher while it exists, a presence poll all along. */
class WatchedRoot implements PresenceListener {
  private watcher: FSWatcher | null = null;
  private closing: Promise<void> = Promise.resolve();
  private readyCallback: (() => void) | null = null;
  private readonly presence: PathPresence;
  /** what every path below this one starts with ("/" itself ends with the separator) */
  private readonly below: string;

  constructor(
    private readonly path: string,
    private readonly options: WatchOptions,
    clock: Clock,
    private readonly logger: Logger,
  ) {
    this.presence = new PathPresence(path, clock, PRESENCE_POLL_MS, this);
    this.below = path.endsWith(sep) ? path : path + sep;
  }

  start(onReady: () => void): void {
    this.readyCallback = onReady;
    void this.presence.start();
  }

  async close(): Promise<void> {
    this.readyCallback = null;
    this.presence.stop();
    this.shut();
    await this.closing;
  }

  present(initial: boolean, isDirectory: boolean): void {
    if (!initial) {
      this.logger.log({ msg: `watched path appeared: ${this.path}`, path: this.path });
      this.options.onChange(this.path);
    }
    this.open(isDirectory);
  }

  absent(initial: boolean): void {
    if (initial) {
      this.logger.warn({
        msg: `watched path does not exist yet, watching for it to appear: ${this.path}`,
        path: this.path,
      });
      this.ready();
      return;
    }
    this.logger.warn({
      msg: `watched path disappeared, watching for it to come back: ${this.path}`,
      path: this.path,
    });
    this.options.onChange(this.path);
    this.shut();
    // gone before its first scan ended: there is nothing left to wait for
    this.ready();
  }

  private open(isDirectory: boolean): void {
    // a replaced path leaves the old watcher on inodes that are gone
    this.shut();
    const watcher = chokidarWatch(this.path, {
      ignoreInitial: true,
      // restic saves symlinks as links and never follows them; following could also loop
      followSymlinks: false,
      // native events: polling 100k files would stat them all the time
      usePolling: false,
      // the burst debounce already waits for writes to settle
      awaitWriteFinish: false,
      ignored: (path: string, stats?: Stats) => this.ignoredByChokidar(path, stats),
    });
    watcher.on('all', (_event, path) => this.options.onChange(path));
    // a watched file has its own native watcher, whose `change` chokidar reports already
    if (isDirectory) watcher.on('raw', (_event, name, details) => this.onRaw(name, details));
    watcher.on('error', (error) => this.options.onError(asError(error)));
    watcher.once('ready', () => this.ready());
    this.watcher = watcher;
  }

  /**
   * Only folders get a native watcher. chokidar otherwise opens one per file (about 650 MB of
   * memory and 100k inotify watches for 100k files), while a folder's watcher already hears about
   * every change to the files in it; those arrive as `raw` events (see onRaw).
   */
  private ignoredByChokidar(path: string, stats?: Stats): boolean {
    if (stats && !stats.isDirectory() && path !== this.path) return true;
    return this.options.ignore(path);
  }

  /** A native event in a watched folder: `name` is the entry that changed in it. */
  private onRaw(name: string, details: unknown): void {
    const folder = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
    if (typeof folder !== 'string') return;
    const path = name ? join(folder, name) : folder;
    // chokidar shares native watchers between instances; keep to what lies under this root
    if (path !== this.path && !path.startsWith(this.below)) return;
    if (!this.options.ignore(path)) this.options.onChange(path);
  }

  private shut(): void {
    const watcher = this.watcher;
    if (!watcher) return;
    this.watcher = null;
    this.closing = this.closing
      .then(() => watcher.close())
      .catch((error: unknown) => this.options.onError(asError(error)));
  }

  private ready(): void {
    const callback = this.readyCallback;
    this.readyCallback = null;
    callback?.();
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
