/**
 * The children of recently listed folders of snapshots that are not indexed, so that paging
 * through a folder runs restic once. Bounded by folders and by entries over all of them, so that
 * its memory does not grow with the snapshots browsed; a folder larger than the entry bound is
 * answered but not kept. Snapshots never change: what is kept stays right.
 */
import type { ListedEntry } from './listed-entry';

export interface FolderRunCacheLimits {
  /** folders kept at most */
  maxFolders: number;
  /** entries kept at most over all folders */
  maxEntries: number;
}

/** A folder's direct children, sorted by name, and the full id of its snapshot. */
export interface FolderChildren {
  snapshotId: string;
  children: readonly ListedEntry[];
}

/** Least recently used first out. */
export class FolderRunCache {
  private readonly kept = new Map<string, FolderChildren>();
  private entries = 0;

  constructor(private readonly limits: FolderRunCacheLimits) {}

  /** The kept folder (now the most recently used). */
  get(key: string): FolderChildren | undefined {
    const kept = this.kept.get(key);
    if (kept) {
      this.kept.delete(key);
      this.kept.set(key, kept);
    }
    return kept;
  }

  keep(key: string, folder: FolderChildren): void {
    this.drop(key);
    if (folder.children.length > this.limits.maxEntries) return;
    this.kept.set(key, folder);
    this.entries += folder.children.length;
    while (this.kept.size > this.limits.maxFolders || this.entries > this.limits.maxEntries) {
      this.drop(this.kept.keys().next().value!);
    }
  }

  /** folders kept, and entries over all of them */
  get size(): { folders: number; entries: number } {
    return { folders: this.kept.size, entries: this.entries };
  }

  private drop(key: string): void {
    const previous = this.kept.get(key);
    if (!previous) return;
    this.kept.delete(key);
    this.entries -= previous.children.length;
  }
}
