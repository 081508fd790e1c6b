/** A snapshot's tree as `restic ls` gave it, folder by folder, and a bounded cache of them. */
import type { ResticLsNode } from '../restic/restic.types';
import { childPath, parentOf } from './snapshot-paths';

export type SnapshotEntryType = 'file' | 'dir' | 'symlink' | 'other';

/** One entry of a folder; its path is rebuilt from the folder, to keep listings small. */
export interface ListedEntry {
  name: string;
  type: SnapshotEntryType;
  size: number;
  mtime: string;
  mode: number;
}

export interface SnapshotEntry extends ListedEntry {
  path: string;
}

const entryType = (type: string): SnapshotEntryType =>
  type === 'file' || type === 'dir' || type === 'symlink' ? type : 'other';

const byName = (a: ListedEntry, b: ListedEntry): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

export class SnapshotListing {
  private readonly folders = new Map<string, ListedEntry[]>([['/', []]]);
  private count = 0;
  /** full 64-hex id, once known */
  snapshotId = '';

  add(node: ResticLsNode): void {
    const parent = parentOf(node.path);
    let siblings = this.folders.get(parent);
    if (!siblings) {
      siblings = [];
      this.folders.set(parent, siblings);
    }
    const type = entryType(node.type);
    siblings.push({ name: node.name, type, size: node.size, mtime: node.mtime, mode: node.mode });
    if (type === 'dir' && !this.folders.has(node.path)) this.folders.set(node.path, []);
    this.count++;
  }

  /** Sorts every folder by name (code units), once the listing is complete. */
  finish(): this {
    for (const entries of this.folders.values()) entries.sort(byName);
    return this;
  }

  get entryCount(): number {
    return this.count;
  }

  /** The direct children of a folder, sorted by name; undefined when no such folder exists. */
  children(folder: string): readonly ListedEntry[] | undefined {
    return this.folders.get(folder);
  }

  /** Whether the path names a file (or link, ...) rather than a folder. */
  isEntry(path: string): boolean {
    if (path === '/') return false;
    const siblings = this.folders.get(parentOf(path));
    const name = path.slice(path.lastIndexOf('/') + 1);
    return siblings?.some((e) => e.name === name) ?? false;
  }

  page(folder: string, start: number, size: number): SnapshotEntry[] {
    const entries = this.folders.get(folder) ?? [];
    return entries
      .slice(start, start + size)
      .map((entry) => ({ ...entry, path: childPath(folder, entry.name) }));
  }
}

export interface ListingCacheLimits {
  /** listings kept at most */
  maxListings: number;
  /** entries kept at most over all listings; a larger listing is served but not kept */
  maxEntries: number;
}

/**
 * Listings by key, least recently used evicted first. Snapshots never change, so a listing stays
 * right forever. Concurrent requests for the same key share one load; a failed load is not kept.
 */
export class ListingCache {
  private readonly kept = new Map<string, SnapshotListing>();
  private readonly loading = new Map<string, Promise<SnapshotListing>>();
  private entries = 0;

  constructor(private readonly limits: ListingCacheLimits) {}

  get(key: string, load: () => Promise<SnapshotListing>): Promise<SnapshotListing> {
    const kept = this.kept.get(key);
    if (kept) {
      this.kept.delete(key);
      this.kept.set(key, kept);
      return Promise.resolve(kept);
    }
    const pending = this.loading.get(key);
    if (pending) return pending;
    const started = load().then(
      (listing) => {
        this.loading.delete(key);
        this.keep(key, listing);
        return listing;
      },
      (error: unknown) => {
        this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, started);
    return started;
  }

  get size(): number {
    return this.kept.size;
  }

  has(key: string): boolean {
    return this.kept.has(key);
  }

  private keep(key: string, listing: SnapshotListing): void {
    if (listing.entryCount > this.limits.maxEntries) return;
    const previous = this.kept.get(key);
    if (previous) {
      this.kept.delete(key);
      this.entries -= previous.entryCount;
    }
    this.kept.set(key, listing);
    this.entries += listing.entryCount;
    while (this.kept.size > this.limits.maxListings || this.entries > this.limits.maxEntries) {
      const [oldestKey, oldest] = this.kept.entries().next().value as [string, SnapshotListing];
      this.kept.delete(oldestKey);
      this.entries -= oldest.entryCount;
    }
  }
}
