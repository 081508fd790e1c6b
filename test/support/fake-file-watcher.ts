import { Clock } from '../../src/common/clock';
import { FileWatcher, type WatchOptions } from '../../src/triggers/file-watcher';

export interface FakeWatch {
  paths: string[];
  options: WatchOptions;
  closed: boolean;
  /** reports a change, unless the watch's ignore function drops it (as the real watcher does) */
  change(path: string): void;
  /** ends the initial scan (at once, unless the watcher was made with `autoReady` false) */
  ready(): void;
}

/** A FileWatcher for unit tests: nothing touches the disk; tests report changes themselves. */
export class FakeFileWatcher extends FileWatcher {
  readonly watches: FakeWatch[] = [];

  constructor(private readonly autoReady = true) {
    super(new Clock());
  }

  override watch(paths: string[], options: WatchOptions): () => Promise<void> {
    const watch: FakeWatch = {
      paths,
      options,
      closed: false,
      change(path) {
        if (!watch.closed && !options.ignore(path)) options.onChange(path);
      },
      ready() {
        options.onReady?.();
      },
    };
    this.watches.push(watch);
    if (this.autoReady) watch.ready();
    return () => {
      watch.closed = true;
      return Promise.resolve();
    };
  }
}
