import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { isAbsolute, sep } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Clock } from '../common/clock';
import { BackupRequestedEvent } from '../common/events/job-requested.events';
import { LiveConfig } from '../config/live-config';
import type { BackupConfig, HenConfig } from '../config/config.types';
import { type Burst, BurstDebouncer } from './burst-debouncer';
import { ExcludeMatcher } from './exclude-matcher';
import { FileWatcher } from './file-watcher';

/**
 * An initial scan of a large tree holds a lot of memory until it is collected (about 240 MB of
 * garbage for 20 scans of 5,000 files each at once, bench/idle-cost.bench.ts); a few at a time
 * keep that peak near one scan's worth.
 */
const MAX_CONCURRENT_SCANS = 2;

interface WaitingScan {
  name: string;
  settings: WatchSettings;
  done: () => void;
}

interface ActiveWatch {
  debouncer: BurstDebouncer;
  close: () => Promise<void>;
  /** frees the watcher's scan slot; called when its scan ends, or when it is closed before */
  scanned: () => void;
  /** everything the watcher was made from; a reload that changes it makes a new watcher */
  settings: WatchSettings;
}

interface WatchSettings {
  paths: string[];
  excludes: string[];
  wait: { minMs: number; maxMs: number };
  ownFolders: string[];
}

/**
 * For every backup with `watch`, asks for one backup per burst of changes under its paths: once
 * changes have settled for `wait.min`, or `wait.max` after the first change at the latest. It only
 * asks (a BackupRequestedEvent); the job queue decides when the backup runs and merges it with one
 * already waiting.
 */
@Injectable()
export class WatchTrigger implements OnModuleDestroy {
  private readonly logger = new Logger(WatchTrigger.name);
  private readonly watches = new Map<string, ActiveWatch>();
  private readiness: Promise<void> = Promise.resolve();
  private started = false;
  private readonly waitingScans: WaitingScan[] = [];
  private scanning = 0;
  private readonly stopListening: () => void;

  constructor(
    private readonly config: LiveConfig,
    private readonly emitter: EventEmitter2,
    private readonly fileWatcher: FileWatcher,
    private readonly clock: Clock,
  ) {
    this.stopListening = config.onChange(({ current }) => {
      if (this.started) this.sync(current);
    });
  }

  /** Starts the watchers; call once the job queue runs. Initial scans go on in the background. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.sync(this.config.current);
  }

  /**
   * Makes the watchers match `config`: unchanged ones keep watching (a rescan of a large tree is
   * costly, and their pending changes stay pending); the others are closed and made anew. Changes
   * a closed watcher had seen but not yet asked for are asked for now, if the backup still exists.
   */
  private sync(config: HenConfig): void {
    const wanted = new Map<string, WatchSettings>();
    for (const backup of Object.values(config.backups)) {
      if (backup.watch) wanted.set(backup.name, this.settingsOf(backup, config));
    }
    for (const [name, watch] of this.watches) {
      if (isDeepStrictEqual(wanted.get(name), watch.settings)) continue;
      this.watches.delete(name);
      const pending = watch.debouncer.active;
      watch.debouncer.dispose();
      watch.scanned();
      void watch.close();
      this.logger.log({
        msg: `backup "${name}": watcher closed (configuration changed)`,
        backup: name,
      });
      if (pending && name in config.backups) this.request(name);
    }
    for (const scan of [...this.waitingScans]) {
      if (isDeepStrictEqual(wanted.get(scan.name), scan.settings)) continue;
      this.waitingScans.splice(this.waitingScans.indexOf(scan), 1);
      scan.done();
    }
    const ready: Promise<void>[] = [];
    for (const [name, settings] of wanted) {
      if (this.watches.has(name) || this.waitingScans.some((scan) => scan.name === name)) continue;
      ready.push(new Promise((done) => this.waitingScans.push({ name, settings, done })));
    }
    this.readiness = Promise.all([this.readiness, ...ready]).then(() => undefined);
    this.launchScans();
  }

  /** Starts waiting watchers while fewer than MAX_CONCURRENT_SCANS are still scanning. */
  private launchScans(): void {
    while (this.started && this.scanning < MAX_CONCURRENT_SCANS && this.waitingScans.length) {
      const { name, settings, done } = this.waitingScans.shift()!;
      this.scanning++;
      let released = false;
      this.watchBackup(name, settings, () => {
        if (released) return;
        released = true;
        this.scanning--;
        done();
        this.launchScans();
      });
    }
  }

  private settingsOf(backup: BackupConfig, config: HenConfig): WatchSettings {
    return {
      paths: backup.paths,
      excludes: backup.excludes,
      wait: backup.watch!.wait,
      ownFolders: ownFoldersFor(backup.paths, config),
    };
  }

  /** Resolves once every watcher finished its initial scan (changes before that may be missed). */
  whenReady(): Promise<void> {
    return this.readiness;
  }

  /** How many backups are watched right now (metrics: hen_backup_watchers_active). */
  activeCount(): number {
    return this.watches.size;
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const scan of this.waitingScans.splice(0)) scan.done();
    const watches = [...this.watches.values()];
    this.watches.clear();
    for (const watch of watches) {
      watch.debouncer.dispose();
      watch.scanned();
    }
    await Promise.all(watches.map((watch) => watch.close()));
  }

  /** Triggers stop first on shutdown, so that nothing new is queued while jobs wind down. */
  async onModuleDestroy(): Promise<void> {
    this.stopListening();
    await this.stop();
  }

  private watchBackup(name: string, settings: WatchSettings, scanned: () => void): void {
    const excludes = new ExcludeMatcher(settings.excludes);
    if (excludes.invalid.length > 0) {
      this.logger.warn({
        msg: `backup "${name}": exclude patterns restic would refuse are not applied by the watcher: ${excludes.invalid.join(', ')}`,
        backup: name,
        patterns: excludes.invalid,
      });
    }
    const isOwn = (path: string) =>
      settings.ownFolders.some((folder) => isSameOrInside(path, folder));
    const reportedErrors = new Set<string>();

    const debouncer = new BurstDebouncer(
      this.clock,
      settings.wait,
      (burst) => this.onBurst(name, burst),
      `watch ${name}`,
    );
    const close = this.fileWatcher.watch(settings.paths, {
      ignore: (path) => isOwn(path) || excludes.matches(path),
      onChange: (path) => debouncer.change(path),
      onError: (error) => this.onWatchError(name, error, reportedErrors),
      onReady: () => {
        this.logger.log({
          msg: `watching ${settings.paths.length} path(s) of backup "${name}"`,
          backup: name,
          paths: settings.paths,
        });
        scanned();
      },
    });
    this.watches.set(name, { debouncer, close, settings, scanned });
  }

  private onBurst(name: string, burst: Burst): void {
    const seconds = Math.round((burst.endedAt - burst.startedAt) / 1000);
    this.logger.log({
      msg: `backup "${name}": ${burst.changes} change(s) over ${seconds}s ${burst.reason === 'max' ? 'and still changing, max wait reached' : 'then settled'}; asking for a backup`,
      backup: name,
      changes: burst.changes,
      samplePaths: burst.samplePaths,
      reason: burst.reason,
    });
    this.request(name);
  }

  private request(name: string): void {
    const event = new BackupRequestedEvent(name, 'watch');
    this.emitter.emit(BackupRequestedEvent.event, event);
    if (event.answer?.outcome === 'queued') return;
    this.logger.error({
      msg: `backup "${name}": asking for a backup failed: ${event.answer ? event.answer.reason : 'nothing listens for job requests'}`,
      backup: name,
    });
  }

  /**
   * Watch errors repeat per folder (one per folder over the inotify limit, for instance), so each
   * kind is logged once per backup at error level and the rest at debug.
   */
  private onWatchError(name: string, error: Error, reported: Set<string>): void {
    const code = (error as NodeJS.ErrnoException).code ?? error.message;
    const entry = {
      msg: `backup "${name}": watching failed: ${error.message}${code === 'ENOSPC' ? ' (raise fs.inotify.max_user_watches)' : ''}`,
      backup: name,
      code,
    };
    if (reported.has(code)) {
      this.logger.debug(entry);
      return;
    }
    reported.add(code);
    this.logger.error(entry);
  }
}

/**
 * hen-backup's own folders: its data (state, restic cache, temp) and local repositories. A
 * backup writes there, so a watched path that contains them would trigger itself forever.
 */
/**
 * The daemon's own folders that can matter to a watcher of `paths`: those inside them, or holding
 * them. Only those are part of its settings, so that adding or moving a repository elsewhere does
 * not make every watcher start over (and rescan its tree) on a reload.
 */
function ownFoldersFor(paths: string[], config: HenConfig): string[] {
  return ownFolders(config)
    .filter((folder) => paths.some((p) => isSameOrInside(folder, p) || isSameOrInside(p, folder)))
    .sort();
}

function ownFolders(config: HenConfig): string[] {
  const folders = [config.dataDir];
  for (const repository of Object.values(config.repositories)) {
    // local locations are stored as absolute paths; every other backend has a `name:` prefix
    if (isAbsolute(repository.location)) folders.push(repository.location);
  }
  return folders;
}

function isSameOrInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}
