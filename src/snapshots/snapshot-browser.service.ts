import { Injectable, Optional } from '@nestjs/common';
import type { PositionalList } from '../common/graphql/connection';
import { ResticError } from '../restic/restic-error';
import { ResticService } from '../repositories/restic.service';
import type {
  ResticDiffStatistics,
  ResticSnapshot,
  ResticStats,
  ResticStatsMode,
} from '../restic/restic.types';
import { RepositoriesService } from '../repositories/repositories.service';
import type { IndexedEntryRow } from '../snapshot-index/snapshot-index-store';
import { IndexFollowUp } from '../snapshot-index/index-follow-up';
import { SnapshotIndexService } from '../snapshot-index/snapshot-index.service';
import { FolderRunCache, type FolderChildren } from './folder-run-cache';
import { byName, entryType, toListedEntry, type ListedEntry } from './listed-entry';
import {
  InvalidPathError,
  normaliseBrowsePath,
  normaliseSnapshotId,
  parentOf,
} from './snapshot-paths';
import {
  parseSnapshotRef,
  SnapshotNotFoundError,
  SnapshotRefs,
  type SnapshotRef,
} from './snapshot-refs';
import { SnapshotsService } from './snapshots.service';

/**
 * Folders of snapshots that are not indexed, kept after their `restic ls` for the next pages:
 * about 150 bytes an entry, so a few MB at most whatever the snapshots' sizes.
 */
export const FOLDER_CACHE_LIMITS = { maxFolders: 16, maxEntries: 50_000 };
const STATS_CACHE_SIZE = 256;

export interface FolderPage {
  folder: string;
  /** entries of the whole folder */
  total: number;
  start: number;
  entries: readonly ListedEntry[];
  /** full 64-hex id */
  snapshotId: string;
}

/**
 * A folder of a snapshot, read by position (name order) without being held whole: pages of an
 * indexed snapshot's folder come from the index; other folders from the children of one
 * `restic ls` of that folder.
 */
export interface SnapshotFolder extends PositionalList<ListedEntry, string> {
  /** the folder's path, normalised */
  folder: string;
  /** full 64-hex id */
  snapshotId: string;
}

/**
 * How a folder run answered: the children, or a refusal that holds whatever else says (no such
 * snapshot or folder, not a folder). A failed restic run is a rejection instead.
 */
type FolderAnswer = { children: FolderChildren } | { refused: Error };

const settle = (answer: FolderAnswer): FolderChildren => {
  if ('refused' in answer) throw answer.refused;
  return answer.children;
};

export interface SnapshotDiff {
  added: string[];
  removed: string[];
  changed: string[];
  totals: {
    added: number;
    removed: number;
    changed: number;
    addedBytes: number;
    removedBytes: number;
  };
  /** whether the path lists stop short of the totals */
  truncated: boolean;
}

const UNKNOWN_ID = /no matching ID found|multiple IDs with prefix|invalid id/i;

const noSnapshot = (repository: string, id: string) =>
  new SnapshotNotFoundError(
    `no snapshot "${id}" in repository "${repository}" (or the prefix names several)`,
  );

const noFolder = (folder: string, snapshotId: string) =>
  new SnapshotNotFoundError(`no folder "${folder}" in snapshot ${snapshotId}`);
const notAFolder = (folder: string) => new InvalidPathError(`"${folder}" is not a folder`);

const fromIndexRow = (entry: IndexedEntryRow): ListedEntry => ({
  name: entry.name,
  type: entryType(entry.type),
  size: entry.size,
  mtime: entry.mtime,
  mode: entry.mode,
  ...(entry.type === 'dir'
    ? { totalSize: entry.totalSize ?? undefined, fileCount: entry.fileCount ?? undefined }
    : {}),
});

/**
 * Reading snapshots: one snapshot's details, folders (page by page from the snapshot index, or
 * from one `restic ls` of the folder for a snapshot not indexed yet), diffs and statistics.
 */
@Injectable()
export class SnapshotBrowserService {
  /** folder runs by snapshot key and folder, while they run: concurrent callers share one */
  private readonly folderRuns = new Map<string, Promise<FolderAnswer>>();
  private readonly kept = new FolderRunCache(FOLDER_CACHE_LIMITS);
  private readonly snapshotStats = new Map<string, Promise<ResticStats>>();

  constructor(
    private readonly repositories: RepositoriesService,
    private readonly snapshots: SnapshotsService,
    private readonly restic: ResticService,
    private readonly refs: SnapshotRefs,
    /** the persistent index answers the folders of the snapshots it holds (absent in some tests) */
    @Optional() private readonly index?: SnapshotIndexService,
    /** queues the index job for a snapshot browsed before it was indexed */
    @Optional() private readonly indexing?: IndexFollowUp,
  ) {}

  /**
   * The snapshot a snapshot argument names (an id, a unique prefix, `latest`, ...). `folders`
   * the query will read next are started at once when the snapshot is not indexed, beside the
   * lookup (which may run `restic snapshots`), rather than after it.
   */
  snapshot(
    repository: string,
    ref: string,
    folders: readonly (string | null)[] = [],
  ): Promise<ResticSnapshot> {
    for (const path of folders) this.listAhead(repository, ref, path);
    return this.refs.resolve(repository, ref);
  }

  private listAhead(repository: string, ref: string, path: string | null): void {
    let parsed: SnapshotRef;
    let folder: string;
    try {
      parsed = parseSnapshotRef(repository, ref);
      folder = normaliseBrowsePath(path);
    } catch {
      return; // the lookup itself says what is wrong with the argument
    }
    if (parsed.kind !== 'id' || parsed.id.length !== 64 || !this.repositories.find(repository)) {
      return;
    }
    if (this.index?.fullId(repository, parsed.id)) return;
    // its answer (or failure) is taken by the `files` field that asked for it
    this.unindexed(repository, parsed.id, folder).catch(() => undefined);
  }

  /** restore-size statistics of one snapshot: one tree walk by restic, then kept. */
  snapshotStatistics(repository: string, snapshotId: string): Promise<ResticStats> {
    const id = normaliseSnapshotId(snapshotId);
    const key = `${repository}\0${id}`;
    let stats = this.snapshotStats.get(key);
    if (!stats) {
      stats = this.restic.stats(this.repositories.target(repository), 'restore-size', id);
      stats.catch(() => this.snapshotStats.delete(key));
      if (this.snapshotStats.size >= STATS_CACHE_SIZE) {
        this.snapshotStats.delete(this.snapshotStats.keys().next().value!);
      }
      this.snapshotStats.set(key, stats);
    }
    return stats;
  }

  /** The direct children of `path` in the snapshot, sorted by name, from `start`. */
  async folder(
    repository: string,
    snapshot: string,
    path: string | null | undefined,
    start: number,
    size: number,
  ): Promise<FolderPage> {
    return this.readFolder(repository, snapshot, path, (folder) => {
      if (start > folder.length) throw new InvalidPathError('after is past the end of the list');
      return {
        folder: folder.folder,
        total: folder.length,
        start,
        entries: folder.slice(start, Math.min(folder.length, start + size)),
        snapshotId: folder.snapshotId,
      };
    });
  }

  /** The entry named `name` in a folder of the snapshot; undefined when it has none. */
  entry(
    repository: string,
    snapshot: string,
    path: string,
    name: string,
  ): Promise<{ folder: string; snapshotId: string; entry?: ListedEntry }> {
    return this.readFolder(repository, snapshot, path, (folder) => {
      const at = folder.indexOf(name);
      return {
        folder: folder.folder,
        snapshotId: folder.snapshotId,
        entry: at < 0 ? undefined : folder.slice(at, at + 1)[0],
      };
    });
  }

  /**
   * Hands the folder `path` of the snapshot to `read`, which takes the pages it needs at once
   * (synchronously). An indexed snapshot's folder is read from the index, page by page. Any other
   * is answered by one `restic ls <snapshot> <folder>` (restic lists only the folder's direct
   * children), shared by concurrent callers; its children are kept in a small bounded cache for
   * the next pages, and the snapshot's index job is queued.
   */
  async readFolder<T>(
    repository: string,
    snapshot: string,
    path: string | null | undefined,
    read: (folder: SnapshotFolder) => T,
  ): Promise<T> {
    const folder = normaliseBrowsePath(path);
    const id = await this.refs.toId(repository, snapshot);
    const indexed = this.fromIndex(repository, id, folder, read);
    if (indexed) return indexed.value;
    const { snapshotId, children } = await this.unindexed(repository, id, folder);
    return read({
      folder,
      snapshotId,
      length: children.length,
      indexOf: (name) => children.findIndex((entry) => entry.name === name),
      slice: (start, end) => children.slice(start, end),
    });
  }

  /**
   * A folder of an indexed snapshot, read from the index (with its folders' total sizes and file
   * counts); undefined when the snapshot is not indexed, so that restic answers.
   */
  private fromIndex<T>(
    repository: string,
    id: string,
    folder: string,
    read: (folder: SnapshotFolder) => T,
  ): { value: T } | undefined {
    const fullId = this.index?.fullId(repository, id);
    if (!this.index || !fullId) return undefined;
    const found = this.index.readFolder(repository, fullId, folder, (indexed) =>
      read({
        folder,
        snapshotId: fullId,
        length: indexed.totals.entryCount,
        indexOf: (name) => indexed.position(name),
        slice: (start, end) =>
          end > start ? indexed.entries(start, end - start).map(fromIndexRow) : [],
      }),
    );
    if (!found) return undefined;
    if ('missing' in found) throw noFolder(folder, fullId);
    if ('notAFolder' in found) throw notAFolder(folder);
    return found;
  }

  /**
   * The children of a folder of a snapshot that is not indexed: kept from an earlier run, or
   * from one `restic ls <snapshot> <folder>` shared by every caller while it runs. Only answers
   * are kept: a failed run is tried again by the next request.
   */
  private async unindexed(repository: string, id: string, folder: string): Promise<FolderChildren> {
    const key = `${repository}\0${id}\0${folder}`;
    const kept = this.kept.get(key);
    if (kept) return kept;
    let run = this.folderRuns.get(key);
    if (!run) {
      const started = this.listFolder(repository, id, folder);
      const ended = () => {
        if (this.folderRuns.get(key) === started) this.folderRuns.delete(key);
      };
      started.then((answer) => {
        ended();
        if ('children' in answer) this.kept.keep(key, answer.children);
      }, ended);
      this.folderRuns.set(key, started);
      run = started;
    }
    return settle(await run);
  }

  private async listFolder(repository: string, id: string, folder: string): Promise<FolderAnswer> {
    const children: ListedEntry[] = [];
    let self: string | undefined;
    const fullId = await this.restic.ls(
      this.repositories.target(repository),
      id,
      (node) => {
        if (node.path === folder) self = node.type;
        else if (parentOf(node.path) === folder) children.push(toListedEntry(node));
      },
      { folder },
    );
    if (!fullId) return { refused: noSnapshot(repository, id) };
    this.indexing?.browsedUnindexed(repository, fullId);
    if (folder !== '/' && self === undefined) return { refused: noFolder(folder, fullId) };
    if (folder !== '/' && self !== 'dir') return { refused: notAFolder(folder) };
    return { children: { snapshotId: fullId, children: children.sort(byName) } };
  }

  /**
   * `restic diff` between two snapshots: path lists up to `limit` each (streamed, never held
   * whole), totals always complete. Content changes (M), type changes (T) and, with restic's
   * --metadata, metadata changes (U) count as changed.
   */
  async diff(repository: string, from: string, to: string, limit: number): Promise<SnapshotDiff> {
    // an unknown repository is NOT_FOUND before any snapshot reference is looked up
    const target = this.repositories.target(repository);
    const fromId = await this.refs.toId(repository, from, 'from');
    const toId = await this.refs.toId(repository, to, 'to');
    const result: SnapshotDiff = {
      added: [],
      removed: [],
      changed: [],
      totals: { added: 0, removed: 0, changed: 0, addedBytes: 0, removedBytes: 0 },
      truncated: false,
    };
    const collect = (list: string[], path: string) => {
      if (list.length < limit) list.push(path);
      else result.truncated = true;
    };
    let statistics: ResticDiffStatistics;
    try {
      statistics = await this.restic.diff(target, fromId, toId, ({ path, modifier }) => {
        if (modifier === '+') {
          result.totals.added++;
          collect(result.added, path);
        } else if (modifier === '-') {
          result.totals.removed++;
          collect(result.removed, path);
        } else {
          result.totals.changed++;
          collect(result.changed, path);
        }
      });
    } catch (error) {
      if (error instanceof ResticError && UNKNOWN_ID.test(`${error.message}\n${error.detail}`)) {
        throw new SnapshotNotFoundError(
          `snapshot "${fromId}" or "${toId}" is not in repository "${repository}" (or a prefix names several)`,
        );
      }
      throw error;
    }
    result.totals.addedBytes = statistics.added.bytes;
    result.totals.removedBytes = statistics.removed.bytes;
    return result;
  }

  repositoryStatistics(repository: string, mode: ResticStatsMode): Promise<ResticStats> {
    return this.restic.stats(this.repositories.target(repository), mode);
  }
}
