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
  /** for a folder of an indexed snapshot: bytes of every file below it */
  totalSize?: number;
  /** for a folder of an indexed snapshot: files below it, at any depth */
  fileCount?: number;
}

export interface SnapshotEntry extends ListedEntry {
  path: string;
}

const entryType = (type: string): SnapshotEntryType =>
  type === 'file' || type === 'dir' || type === 'symlink' ? type : 'other';

/** What a folder keeps of a node (the same whether it comes from a whole or a folder listing). */
export const toListedEntry = (node: ResticLsNode): ListedEntry => ({
  name: node.name,
  type: entryType(node.type),
  size: node.size,
  mtime: node.mtime,
  mode: node.mode,
});

/** Folder order: by name, in UTF-16 code units. */
export const byName = (a: ListedEntry, b: ListedEntry): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/**
 * A snapshot's folders, filled node by node in the order `restic ls` walks the tree: depth first,
 * each folder's node followed at once by everything below it. So while it loads, a folder the
 * walk has left is complete already, and can be answered before the rest arrives. Should nodes
 * ever come in another order, no folder counts as complete before the whole listing is.
 */
export class SnapshotListing {
  private readonly folders = new Map<string, ListedEntry[]>([['/', []]]);
  /** the folders the walk is in, root first: their children may still come */
  private readonly open: string[] = ['/'];
  private waiters = new Map<string, (() => void)[]>();
  private ordered = true;
  private finished = false;
  private count = 0;
  /** full 64-hex id, once known */
  snapshotId = '';

  add(node: ResticLsNode): void {
    const parent = parentOf(node.path);
    const depth = this.open.lastIndexOf(parent);
    if (depth === -1) this.ordered = false;
    else while (this.open.length > depth + 1) this.close(this.open.pop()!);
    let siblings = this.folders.get(parent);
    if (!siblings) {
      siblings = [];
      this.folders.set(parent, siblings);
    }
    const entry = toListedEntry(node);
    siblings.push(entry);
    if (entry.type === 'dir' && !this.folders.has(node.path)) {
      this.folders.set(node.path, []);
      if (this.ordered) this.open.push(node.path);
    }
    this.count++;
  }

  /** Sorts every folder by name (code units), once the listing is complete. */
  finish(): this {
    if (this.ordered) {
      for (const folder of this.open) this.folders.get(folder)!.sort(byName);
    } else {
      for (const entries of this.folders.values()) entries.sort(byName);
    }
    this.open.length = 0;
    this.finished = true;
    const waiters = this.waiters;
    this.waiters = new Map();
    for (const list of waiters.values()) for (const wake of list) wake();
    return this;
  }

  get entryCount(): number {
    return this.count;
  }

  /** Whether `children(folder)` and `isEntry(folder)` give their final answer already. */
  isComplete(folder: string): boolean {
    if (this.finished) return true;
    return this.ordered && this.folders.has(folder) && !this.open.includes(folder);
  }

  /**
   * Resolves once `folder` is complete (at the latest when the listing is finished). A listing
   * whose load fails never resolves it: wait for the load as well.
   */
  whenComplete(folder: string): Promise<void> {
    if (this.isComplete(folder)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.waiters.get(folder);
      if (list) list.push(resolve);
      else this.waiters.set(folder, [resolve]);
    });
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

  /** The walk left `folder`: nothing more comes for it. */
  private close(folder: string): void {
    this.folders.get(folder)!.sort(byName);
    const waiters = this.waiters.get(folder);
    if (!waiters) return;
    this.waiters.delete(folder);
    for (const wake of waiters) wake();
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

  /** The kept listing (now the most recently used), without loading it. */
  peek(key: string): SnapshotListing | undefined {
    const kept = this.kept.get(key);
    if (kept) {
      this.kept.delete(key);
      this.kept.set(key, kept);
    }
    return kept;
  }

  get(key: string, load: () => Promise<SnapshotListing>): Promise<SnapshotListing> {
    const kept = this.peek(key);
    if (kept) return Promise.resolve(kept);
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
