import { Injectable, Optional } from '@nestjs/common';
import { ResticError } from '../restic/restic-error';
import { ResticService } from '../repositories/restic.service';
import type {
  ResticDiffStatistics,
  ResticSnapshot,
  ResticStats,
  ResticStatsMode,
} from '../restic/restic.types';
import { RepositoriesService } from '../repositories/repositories.service';
import {
  byName,
  ListingCache,
  SnapshotListing,
  toListedEntry,
  type ListedEntry,
} from './snapshot-listing';
import {
  InvalidPathError,
  normaliseBrowsePath,
  normaliseSnapshotId,
  parentOf,
} from './snapshot-paths';
import { SnapshotNotFoundError, SnapshotRefs } from './snapshot-refs';
import { SnapshotsService } from './snapshots.service';
import { SnapshotIndexService } from '../snapshot-index/snapshot-index.service';

/** A snapshot, a folder or a path that does not exist; the API answers NOT_FOUND. */

/** Listings kept: a few snapshots, and at most this many entries over all of them. */
export const LISTING_CACHE_LIMITS = { maxListings: 4, maxEntries: 2_000_000 };
const STATS_CACHE_SIZE = 256;
/** snapshots remembered as too large to keep: their folders always come from folder runs */
const TOO_LARGE_REMEMBERED = 64;

export interface FolderPage {
  folder: string;
  /** entries of the whole folder */
  total: number;
  start: number;
  entries: readonly ListedEntry[];
  /** full 64-hex id */
  snapshotId: string;
}

/** A folder's direct children, sorted by name. */
interface FolderChildren {
  snapshotId: string;
  children: readonly ListedEntry[];
}

/**
 * How a source answered: the children, or a refusal that holds whatever else says (no such
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

/** A folder's answer from a listing that is complete for it. */
function fromListing(listing: SnapshotListing, folder: string): FolderAnswer {
  const children = listing.children(folder);
  if (children) return { children: { snapshotId: listing.snapshotId, children } };
  if (listing.isEntry(folder)) return { refused: notAFolder(folder) };
  return { refused: noFolder(folder, listing.snapshotId) };
}

/**
 * Reading snapshots: one snapshot's details, folder listings (from one `restic ls` per snapshot,
 * kept in a bounded cache since snapshots never change), diffs and statistics.
 */
@Injectable()
export class SnapshotBrowserService {
  private readonly listings = new ListingCache(LISTING_CACHE_LIMITS);
  /** whole listings still loading, by snapshot key: folders the walk has left answer early */
  private readonly partial = new Map<string, SnapshotListing>();
  /** folder runs by snapshot key and folder, while they run or the snapshot's listing loads */
  private readonly folderRuns = new Map<string, Promise<FolderAnswer>>();
  private readonly tooLarge = new Set<string>();
  private readonly snapshotStats = new Map<string, Promise<ResticStats>>();

  constructor(
    private readonly repositories: RepositoriesService,
    private readonly snapshots: SnapshotsService,
    private readonly restic: ResticService,
    private readonly refs: SnapshotRefs,
    /** the persistent index answers the folders of the snapshots it holds (absent in some tests) */
    @Optional() private readonly index?: SnapshotIndexService,
  ) {}

  /** The snapshot a snapshot argument names (an id, a unique prefix, `latest`, ...). */
  snapshot(repository: string, ref: string): Promise<ResticSnapshot> {
    return this.refs.resolve(repository, ref);
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

  /** The whole listing of a snapshot, from the cache or one `restic ls` shared by all callers. */
  listing(repository: string, snapshotId: string): Promise<SnapshotListing> {
    const id = normaliseSnapshotId(snapshotId);
    const key = `${repository}\0${id}`;
    const kept = this.listings.peek(key);
    return kept ? Promise.resolve(kept) : this.loadListing(repository, id, key);
  }

  /**
   * The direct children of `path` in the snapshot, sorted by name, from `start`.
   *
   * A snapshot listed before answers from memory. Otherwise the first request starts the whole
   * listing in the background (one `restic ls` at the lowest CPU priority, shared by every
   * caller, kept once complete) and, at once, a `restic ls <snapshot> <folder>` of the folder
   * alone; whichever can answer first does: the folder run, or the whole listing once its walk
   * has left the folder (restic walks depth first, so a folder is complete early or late in the
   * run depending on where it lies).
   */
  async folder(
    repository: string,
    snapshot: string,
    path: string | null | undefined,
    start: number,
    size: number,
  ): Promise<FolderPage> {
    const folder = normaliseBrowsePath(path);
    const id = await this.refs.toId(repository, snapshot);
    const { snapshotId: fullId, children } = await this.folderChildren(repository, id, folder);
    if (start > children.length) throw new InvalidPathError('after is past the end of the list');
    return {
      folder,
      total: children.length,
      start,
      entries: children.slice(start, start + size),
      snapshotId: fullId,
    };
  }

  private async folderChildren(
    repository: string,
    id: string,
    folder: string,
  ): Promise<FolderChildren> {
    const indexed = this.fromIndex(repository, id, folder);
    if (indexed) return indexed;
    const key = `${repository}\0${id}`;
    const kept = this.listings.peek(key);
    if (kept) return settle(fromListing(kept, folder));
    const partial = this.partial.get(key);
    if (partial?.isComplete(folder)) return settle(fromListing(partial, folder));
    const sources = [this.folderRun(repository, id, key, folder)];
    if (!this.tooLarge.has(key)) {
      const whole = this.loadListing(repository, id, key);
      const listing = this.partial.get(key);
      sources.push(
        listing
          ? Promise.race([listing.whenComplete(folder), whole]).then(() =>
              fromListing(listing, folder),
            )
          : whole.then((done) => fromListing(done, folder)),
      );
    }
    try {
      return settle(await Promise.any(sources));
    } catch (error) {
      // every source failed: say why the folder run did
      throw error instanceof AggregateError ? error.errors[0] : error;
    }
  }

  /**
   * A folder of an indexed snapshot, from the index (with its folders' total sizes and file
   * counts); undefined when the snapshot is not indexed, so that restic answers.
   */
  private fromIndex(repository: string, id: string, folder: string): FolderChildren | undefined {
    const fullId = this.index?.fullId(repository, id);
    if (!this.index || !fullId) return undefined;
    const found = this.index.folder(repository, fullId, folder, 0, Number.MAX_SAFE_INTEGER);
    if (!found) return undefined;
    if ('missing' in found) throw noFolder(folder, fullId);
    if ('notAFolder' in found) throw notAFolder(folder);
    return {
      snapshotId: fullId,
      children: found.page.entries.map((entry) => ({
        name: entry.name,
        type: entry.type as ListedEntry['type'],
        size: entry.size,
        mtime: entry.mtime,
        mode: entry.mode,
        ...(entry.type === 'dir'
          ? { totalSize: entry.totalSize ?? undefined, fileCount: entry.fileCount ?? undefined }
          : {}),
      })),
    };
  }

  /**
   * Starts (or joins) the whole listing of a snapshot. While it loads, its folders fill in
   * `partial`; a listing that grows beyond the cache's entry bound is stopped (it could not be
   * kept) and the snapshot remembered, so that its folders come from folder runs only.
   */
  private loadListing(repository: string, id: string, key: string): Promise<SnapshotListing> {
    const loaded = this.listings.get(key, async () => {
      const listing = new SnapshotListing();
      const stop = new AbortController();
      this.partial.set(key, listing);
      try {
        const fullId = await this.restic.ls(
          this.repositories.target(repository),
          id,
          (node) => {
            if (stop.signal.aborted) return;
            listing.add(node);
            if (listing.entryCount > LISTING_CACHE_LIMITS.maxEntries) {
              this.rememberTooLarge(key);
              stop.abort();
            }
          },
          {
            signal: stop.signal,
            background: true,
            onSnapshot: (fullId) => (listing.snapshotId = fullId),
          },
        );
        if (!fullId) throw noSnapshot(repository, id);
        listing.snapshotId = fullId;
        return listing.finish();
      } finally {
        this.partial.delete(key);
        for (const runKey of this.folderRuns.keys()) {
          if (runKey.startsWith(`${key}\0`)) this.folderRuns.delete(runKey);
        }
      }
    });
    // its failure reaches the callers waiting on it; nobody else must see it as unhandled
    loaded.catch(() => undefined);
    return loaded;
  }

  /**
   * `restic ls <snapshot> <folder>`, keeping only the folder's direct children; one run shared by
   * concurrent callers, kept while the snapshot's whole listing loads (for the next pages).
   */
  private folderRun(
    repository: string,
    id: string,
    key: string,
    folder: string,
  ): Promise<FolderAnswer> {
    const runKey = `${key}\0${folder}`;
    let run = this.folderRuns.get(runKey);
    if (run) return run;
    run = this.listFolder(repository, id, folder);
    this.folderRuns.set(runKey, run);
    const forget = () => {
      if (!this.partial.has(key) && this.folderRuns.get(runKey) === run) {
        this.folderRuns.delete(runKey);
      }
    };
    run.then(forget, () => {
      if (this.folderRuns.get(runKey) === run) this.folderRuns.delete(runKey);
    });
    return run;
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
    if (folder !== '/' && self === undefined) return { refused: noFolder(folder, fullId) };
    if (folder !== '/' && self !== 'dir') return { refused: notAFolder(folder) };
    return { children: { snapshotId: fullId, children: children.sort(byName) } };
  }

  private rememberTooLarge(key: string): void {
    this.tooLarge.add(key);
    if (this.tooLarge.size > TOO_LARGE_REMEMBERED) {
      this.tooLarge.delete(this.tooLarge.values().next().value!);
    }
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
