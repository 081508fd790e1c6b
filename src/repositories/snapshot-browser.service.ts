import { Injectable } from '@nestjs/common';
import { ResticError } from '../restic/restic-error';
import { ResticService } from '../restic/restic.service';
import type {
  ResticDiffStatistics,
  ResticSnapshot,
  ResticStats,
  ResticStatsMode,
} from '../restic/restic.types';
import { RepositoriesService } from './repositories.service';
import { ListingCache, SnapshotListing, type ListedEntry } from './snapshot-listing';
import { InvalidPathError, normaliseBrowsePath, normaliseSnapshotId } from './snapshot-paths';
import { SnapshotsService } from './snapshots.service';

/** A snapshot, a folder or a path that does not exist; the API answers NOT_FOUND. */
export class SnapshotNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotNotFoundError';
  }
}

/** Listings kept: a few snapshots, and at most this many entries over all of them. */
export const LISTING_CACHE_LIMITS = { maxListings: 4, maxEntries: 2_000_000 };
const STATS_CACHE_SIZE = 256;

export interface FolderPage {
  folder: string;
  /** entries of the whole folder */
  total: number;
  start: number;
  entries: readonly ListedEntry[];
  listing: SnapshotListing;
}

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

/**
 * Reading snapshots: one snapshot's details, folder listings (from one `restic ls` per snapshot,
 * kept in a bounded cache since snapshots never change), diffs and statistics.
 */
@Injectable()
export class SnapshotBrowserService {
  private readonly listings = new ListingCache(LISTING_CACHE_LIMITS);
  private readonly snapshotStats = new Map<string, Promise<ResticStats>>();

  constructor(
    private readonly repositories: RepositoriesService,
    private readonly snapshots: SnapshotsService,
    private readonly restic: ResticService,
  ) {}

  /** The snapshot whose id is, or starts with, `id`; several matches are refused. */
  async snapshot(repository: string, id: string): Promise<ResticSnapshot> {
    const prefix = normaliseSnapshotId(id, 'id');
    const all = await this.snapshots.list(repository, {});
    const matches = all.filter((s) => s.id.startsWith(prefix));
    if (matches.length > 1) throw new InvalidPathError(`id "${prefix}" names several snapshots`);
    if (matches.length === 0) throw noSnapshot(repository, prefix);
    return matches[0];
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
    return this.listings.get(`${repository}\0${id}`, async () => {
      const listing = new SnapshotListing();
      const fullId = await this.restic.ls(this.repositories.target(repository), id, (node) =>
        listing.add(node),
      );
      // restic 0.14 ignores an unknown id with a message and exits 0
      if (!fullId) throw noSnapshot(repository, id);
      listing.snapshotId = fullId;
      return listing.finish();
    });
  }

  /** The direct children of `path` in the snapshot, sorted by name, from `start`. */
  async folder(
    repository: string,
    snapshotId: string,
    path: string | null | undefined,
    start: number,
    size: number,
  ): Promise<FolderPage> {
    const folder = normaliseBrowsePath(path);
    const listing = await this.listing(repository, snapshotId);
    const children = listing.children(folder);
    if (!children) {
      if (listing.isEntry(folder)) throw new InvalidPathError(`"${folder}" is not a folder`);
      throw new SnapshotNotFoundError(`no folder "${folder}" in snapshot ${listing.snapshotId}`);
    }
    if (start > children.length) throw new InvalidPathError('after is past the end of the list');
    return {
      folder,
      total: children.length,
      start,
      entries: children.slice(start, start + size),
      listing,
    };
  }

  /**
   * `restic diff` between two snapshots: path lists up to `limit` each (streamed, never held
   * whole), totals always complete. Content changes (M), type changes (T) and, with restic's
   * --metadata, metadata changes (U) count as changed.
   */
  async diff(repository: string, from: string, to: string, limit: number): Promise<SnapshotDiff> {
    const fromId = normaliseSnapshotId(from, 'from');
    const toId = normaliseSnapshotId(to, 'to');
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
      statistics = await this.restic.diff(
        this.repositories.target(repository),
        fromId,
        toId,
        ({ path, modifier }) => {
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
        },
      );
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
