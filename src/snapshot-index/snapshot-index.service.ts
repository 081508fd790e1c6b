import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { combineLimits } from '../config/limits';
import { LiveConfig } from '../config/live-config';
import { RepositoriesService } from '../repositories/repositories.service';
import { ResticService } from '../repositories/restic.service';
import type { ResticSnapshot } from '../restic/restic.types';
import { IndexBuildThread } from './index-build-thread';
import type { BuiltSnapshot } from './index-builder';
import { segments } from './index-paths';
import {
  IndexSearch,
  versionsOf,
  type PathVersions,
  type SearchFilter,
  type SearchKey,
  type SearchPage,
} from './index-search';
import {
  isCorruption,
  SnapshotIndexStore,
  type FolderTotals,
  type IndexedEntry,
  type IndexedEntryRow,
  type IndexedSnapshotRow,
} from './snapshot-index-store';

export const INDEX_FILE = 'snapshot-index.db';
const BACKUP_TAG = 'backup=';

/** The backup definition a snapshot belongs to, from its `backup=<name>` tag. */
const backupOf = (snapshot: ResticSnapshot): string | null =>
  snapshot.tags.find((t) => t.startsWith(BACKUP_TAG))?.slice(BACKUP_TAG.length) ?? null;
/** a snapshot's last use is recorded at most this often (each record is a write) */
const USE_RECORD_INTERVAL_MS = 60_000;

export type IndexState = 'indexed' | 'evicted' | 'not-indexed';

export interface IndexedFolderPage {
  folder: string;
  totals: FolderTotals;
  entries: IndexedEntryRow[];
}

/** Which snapshots a search or a history covers. */
export interface IndexScope {
  repository?: string;
  backup?: string;
  /** a full snapshot id; needs `repository` */
  snapshotId?: string;
  taken?: { min?: Date | null; max?: Date | null };
}

export interface SyncReport {
  indexed: number;
  removed: number;
  evicted: number;
}

export interface SyncOptions {
  signal?: AbortSignal;
  log?: (message: string) => void;
  /** index only this snapshot (a full id), besides removing forgotten ones */
  only?: string;
}

/** What `folder` found in the index: a page, or a path that is missing or not a folder. */
export type FolderLookup =
  { page: IndexedFolderPage } | { missing: true } | { notAFolder: true } | undefined;

/** A folder of an indexed snapshot, read by position. */
export interface IndexedFolder {
  totals: FolderTotals;
  /** entries in name order, from position `start` */
  entries(start: number, limit: number): IndexedEntryRow[];
  /** the position of the entry named `name`; -1 when there is none */
  position(name: string): number;
}

/** What `readFolder` found: what the reader made of the folder, or why there was none. */
export type FolderRead<T> = { value: T } | { missing: true } | { notAFolder: true } | undefined;

/**
 * The persistent snapshot index: builds it (one streamed `restic ls` per snapshot), drops what
 * forgotten snapshots no longer reach, keeps it under its size ceiling, and answers folders,
 * name searches and path histories from it. Every change runs one after another.
 */
@Injectable()
export class SnapshotIndexService implements OnApplicationShutdown {
  private readonly logger = new Logger('SnapshotIndex');
  private store: SnapshotIndexStore;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: LiveConfig,
    private readonly restic: ResticService,
    private readonly repositories: RepositoriesService,
  ) {
    this.store = new SnapshotIndexStore(join(config.current.dataDir, INDEX_FILE), (reason) =>
      this.logger.warn({
        msg: `snapshot index: the index file was damaged (${reason}); it starts again empty and is rebuilt in the background`,
      }),
    );
  }

  onApplicationShutdown(): void {
    this.store.close();
  }

  /** Runs a read; a damaged file is replaced by an empty index and the read answers `fallback`. */
  private read<T>(work: () => T, fallback: T): T {
    try {
      return work();
    } catch (error) {
      if (!isCorruption(error)) throw error;
      this.store.reset(error);
      return fallback;
    }
  }

  state(repository: string, snapshotId: string): IndexState {
    const row = this.read(() => this.store.snapshot(repository, snapshotId), undefined);
    return row === undefined ? 'not-indexed' : row.root ? 'indexed' : 'evicted';
  }

  /**
   * The indexed snapshots of a repository whose id starts with `prefix`, as restic described
   * them when they were indexed (snapshots never change), so that naming one costs no restic run.
   * A snapshot forgotten since is dropped by the next index job, queued when the forget ended.
   */
  described(repository: string, prefix: string): ResticSnapshot[] {
    return this.read(() => this.store.snapshots(repository), [])
      .filter((row) => row.snapshotId.startsWith(prefix))
      .map((row) => JSON.parse(row.meta) as ResticSnapshot);
  }

  /** A snapshot's place in the index, for the API. */
  info(
    repository: string,
    snapshotId: string,
  ): {
    state: IndexState;
    bytes: number | null;
    entryCount: number | null;
    indexedAt: string | null;
  } {
    const row = this.snapshotRow(repository, snapshotId);
    if (!row) return { state: 'not-indexed', bytes: null, entryCount: null, indexedAt: null };
    if (!row.root) return { state: 'evicted', bytes: null, entryCount: null, indexedAt: null };
    return {
      state: 'indexed',
      bytes: row.indexBytes,
      entryCount: row.entryCount,
      indexedAt: row.indexedAt,
    };
  }

  /** The full id of the indexed (not evicted) snapshot an id or unique prefix names, if any. */
  fullId(repository: string, id: string): string | undefined {
    if (id.length === 64) return this.state(repository, id) === 'indexed' ? id : undefined;
    const matches = this.scoped({ repository }).filter((row) => row.snapshotId.startsWith(id));
    return matches.length === 1 ? matches[0].snapshotId : undefined;
  }

  snapshotRow(repository: string, snapshotId: string): IndexedSnapshotRow | undefined {
    return this.read(() => this.store.snapshot(repository, snapshotId), undefined);
  }

  /** The newest snapshot whose folders are in the index, of any repository. */
  newestIndexed(): { repository: string; snapshotId: string } | undefined {
    // the store lists snapshots oldest first
    const newest = this.read(() => this.store.snapshots(), [])
      .filter((row) => row.root)
      .at(-1);
    return newest && { repository: newest.repository, snapshotId: newest.snapshotId };
  }

  /** Bytes the whole index takes, and its snapshots. */
  totals(): { bytes: number; snapshots: number; indexed: number } {
    return this.read(
      () => {
        const rows = this.store.snapshots();
        return {
          bytes: this.store.sizeBytes(),
          snapshots: rows.length,
          indexed: rows.filter((r) => r.root).length,
        };
      },
      { bytes: 0, snapshots: 0, indexed: 0 },
    );
  }

  /** Bytes per repository, summed over its snapshots' own share. */
  perRepository(): Map<string, { bytes: number; indexed: number }> {
    const result = new Map<string, { bytes: number; indexed: number }>();
    for (const row of this.read(() => this.store.snapshots(), [])) {
      const entry = result.get(row.repository) ?? { bytes: 0, indexed: 0 };
      entry.bytes += row.indexBytes;
      if (row.root) entry.indexed++;
      result.set(row.repository, entry);
    }
    return result;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writing.then(work, work);
    this.writing = run.catch(() => undefined);
    return run;
  }

  /**
   * Brings a repository's part of the index up to date: drops snapshots restic no longer lists
   * (and the folders only they reached), indexes those not indexed yet (newest first), then
   * keeps the index under its ceiling.
   */
  sync(repository: string, opts: SyncOptions = {}): Promise<SyncReport> {
    return this.exclusive(async () => {
      try {
        return await this.syncNow(repository, opts);
      } catch (error) {
        if (!isCorruption(error)) throw error;
        this.store.reset(error);
        opts.log?.('the index file was damaged: it starts again empty, and this run rebuilds it');
        return this.syncNow(repository, opts);
      }
    });
  }

  /** Whether restic lists snapshots the index lacks, or the index holds snapshots restic lost. */
  async behind(repository: string): Promise<boolean> {
    const listed = await this.restic.snapshots(
      this.repositories.target(repository),
      { noLock: true },
      {
        limits: this.limitsOf(repository),
      },
    );
    const known = this.read(() => this.store.snapshots(repository), []);
    const ids = new Set(known.map((row) => row.snapshotId));
    return known.length !== listed.length || listed.some((s) => !ids.has(s.id));
  }

  private async syncNow(repository: string, opts: SyncOptions): Promise<SyncReport> {
    const log = opts.log ?? (() => undefined);
    const listed = (
      await this.restic.snapshots(
        this.repositories.target(repository),
        { noLock: true },
        {
          signal: opts.signal,
          limits: this.limitsOf(repository),
        },
      )
    ).sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
    const present = new Set(listed.map((s) => s.id));
    let removed = 0;
    for (const row of this.store.snapshots(repository)) {
      if (!present.has(row.snapshotId)) {
        this.store.deleteSnapshot(row.rowId);
        removed++;
      }
    }
    if (removed > 0) {
      const folders = this.store.collectGarbage();
      this.store.compact();
      log(
        `removed ${removed} forgotten snapshot(s) from the index (${folders} folder(s) no longer used)`,
      );
    }
    let indexed = 0;
    for (const snapshot of listed) {
      if (opts.only !== undefined && snapshot.id !== opts.only) continue;
      if (this.store.snapshot(repository, snapshot.id)) continue;
      opts.signal?.throwIfAborted();
      await this.indexSnapshot(repository, snapshot, opts);
      indexed++;
    }
    const evicted = this.enforceCeiling(log);
    return { indexed, removed, evicted };
  }

  private async indexSnapshot(
    repository: string,
    snapshot: ResticSnapshot,
    opts: SyncOptions,
  ): Promise<void> {
    const started = Date.now();
    const before = this.store.sizeBytes();
    const thread = new IndexBuildThread(this.store.file);
    let built: BuiltSnapshot;
    try {
      await this.restic.lsJson(this.repositories.target(repository), snapshot.id, thread.input, {
        signal: opts.signal,
        // the repository's own limits, nice included, as for any job: an index job already
        // yields to every other job (it is on-idle), and at nice 19 restic lost the processor
        // to the daemon's own parsing of its output, which made indexing half as fast
        limits: this.limitsOf(repository),
      });
      built = await thread.finish();
    } catch (error) {
      await thread.stop();
      // folders stored so far are reached by nothing: drop them
      this.store.collectGarbage();
      throw error;
    }
    const now = new Date().toISOString();
    this.store.addSnapshot({
      repository,
      snapshotId: snapshot.id,
      backup: backupOf(snapshot),
      time: snapshot.time,
      meta: JSON.stringify(snapshot),
      root: built.root,
      totals: built.totals,
      entryCount: built.entryCount,
      indexBytes: Math.max(0, this.store.sizeBytes() - before),
      at: now,
    });
    opts.log?.(
      `indexed snapshot ${snapshot.id.slice(0, 8)}: ${built.entryCount} entries, ${built.newFolders} new folder(s), ${Date.now() - started} ms`,
    );
  }

  private limitsOf(repository: string) {
    return combineLimits(
      this.config.current.limits,
      this.config.current.repositories[repository]?.limits,
    );
  }

  /** Evicts the least used snapshots' folders while the index is above `index.maxSize`. */
  private enforceCeiling(log: (message: string) => void): number {
    const max = this.config.current.index?.maxSizeBytes;
    if (max === undefined) return 0;
    let evicted = 0;
    for (let round = 0; round < 8 && this.store.sizeBytes() > max; round++) {
      const candidates = this.store.leastUsed();
      // the most recently used snapshot always stays
      if (candidates.length <= 1) break;
      let excess = this.store.sizeBytes() - max;
      for (const row of candidates.slice(0, -1)) {
        this.store.evict(row.rowId);
        evicted++;
        excess -= Math.max(row.indexBytes, 1);
        if (excess <= 0) break;
      }
      this.store.collectGarbage();
      this.store.compact();
    }
    if (evicted > 0) {
      log(
        `index above its ceiling of ${max} bytes: the folders of ${evicted} least used snapshot(s) were evicted`,
      );
    }
    return evicted;
  }

  /** A page of a folder of an indexed snapshot; undefined when not indexed. */
  folder(
    repository: string,
    snapshotId: string,
    path: string,
    start: number,
    size: number,
  ): FolderLookup {
    const found = this.readFolder(repository, snapshotId, path, (folder) => ({
      folder: path,
      totals: folder.totals,
      entries: folder.entries(start, size),
    }));
    return found && 'value' in found ? { page: found.value } : found;
  }

  /**
   * Finds `path` in an indexed snapshot and hands its folder to `read`, which reads the pages it
   * needs (at once: the folder is only sure to exist while `read` runs); undefined when the
   * snapshot is not indexed.
   */
  readFolder<T>(
    repository: string,
    snapshotId: string,
    path: string,
    read: (folder: IndexedFolder) => T,
  ): FolderRead<T> {
    return this.read<FolderRead<T>>(() => {
      const row = this.store.snapshot(repository, snapshotId);
      if (!row?.root) return undefined;
      this.recordUse(row);
      let hash = row.root;
      for (const name of segments(path)) {
        const entry: IndexedEntry | undefined = this.store.entry(hash, name);
        if (!entry) return { missing: true };
        if (!entry.child) return { notAFolder: true };
        hash = entry.child;
      }
      const totals = this.store.folder(hash);
      if (!totals) return undefined;
      const folder = hash;
      return {
        value: read({
          totals,
          entries: (start, limit) => this.store.entries(folder, start, limit),
          position: (name) => this.store.position(folder, name) ?? -1,
        }),
      };
    }, undefined);
  }

  private recordUse(row: IndexedSnapshotRow): void {
    const now = Date.now();
    if (now - Date.parse(row.usedAt) < USE_RECORD_INTERVAL_MS) return;
    this.store.markUsed(row.rowId, new Date(now).toISOString());
  }

  /** The indexed snapshots a scope covers, oldest first. */
  scoped(scope: IndexScope): IndexedSnapshotRow[] {
    return this.read(() => this.store.snapshots(scope.repository), []).filter(
      (row) =>
        row.root !== null &&
        (scope.backup === undefined || row.backup === scope.backup) &&
        (scope.snapshotId === undefined || row.snapshotId === scope.snapshotId) &&
        (scope.taken?.min == null || Date.parse(row.time) >= +scope.taken.min) &&
        (scope.taken?.max == null || Date.parse(row.time) <= +scope.taken.max),
    );
  }

  search(scope: IndexScope, filter: SearchFilter, size: number, after?: SearchKey): SearchPage {
    const snapshots = this.scoped(scope);
    return this.read(() => new IndexSearch(this.store, snapshots).page(filter, size, after), {
      items: [],
      hasNextPage: false,
      totalCount: 0,
    });
  }

  /** A path's versions over the snapshots of a scope, per repository, oldest first. */
  history(scope: IndexScope, path: string): PathVersions[] {
    const byRepository = new Map<string, IndexedSnapshotRow[]>();
    for (const row of this.scoped(scope)) {
      const list = byRepository.get(row.repository) ?? [];
      list.push(row);
      byRepository.set(row.repository, list);
    }
    const names = segments(path);
    const name = names.at(-1) ?? '';
    return this.read(() => {
      const result: PathVersions[] = [];
      for (const [repository, rows] of byRepository) {
        const versions = versionsOf(rows, (row) => this.lookup(row.root!, names), true);
        if (versions.length > 0) result.push({ repository, path, name, versions });
      }
      return result;
    }, []);
  }

  private lookup(root: Buffer, names: string[]): IndexedEntry | undefined {
    let hash: Buffer | null = root;
    let entry: IndexedEntry | undefined;
    for (const name of names) {
      if (!hash) return undefined;
      entry = this.store.entry(hash, name);
      if (!entry) return undefined;
      hash = entry.child;
    }
    return entry;
  }
}
