import { createHash } from 'node:crypto';
import type { ResticLsNode } from '../restic/restic.types';
import type { FolderTotals, IndexedEntry, SnapshotIndexStore } from './snapshot-index-store';

/** restic's types kept as they are; anything else (devices, fifos, sockets) is "other". */
const entryType = (type: string): string =>
  type === 'file' || type === 'dir' || type === 'symlink' ? type : 'other';

const parentOf = (path: string): string => {
  const index = path.lastIndexOf('/');
  return index <= 0 ? '/' : path.slice(0, index);
};

/** Folder order: by name, in UTF-16 code units (as the in-memory listing sorts). */
const byName = (a: IndexedEntry, b: IndexedEntry): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** The node order the builder relies on was not kept: the listing cannot be indexed. */
export class ListingOrderError extends Error {
  constructor(path: string) {
    super(
      `restic ls gave "${path}" outside the folder it was walking; the index needs a depth-first walk`,
    );
    this.name = 'ListingOrderError';
  }
}

interface Frame {
  path: string;
  entries: IndexedEntry[];
  /** totals of the folder entries among `entries`, by position */
  childTotals: Map<number, FolderTotals>;
}

export interface BuiltSnapshot {
  root: Buffer;
  totals: FolderTotals;
  /** every node of the listing */
  entryCount: number;
  /** folders stored by this build (the others were stored already, by earlier snapshots) */
  newFolders: number;
}

/**
 * Builds a snapshot's index from `restic ls --json` nodes as they stream in. restic walks the
 * tree depth first, each folder's node followed at once by everything below it, so only the
 * folders on the path being walked are held: a folder is hashed and stored (when no earlier
 * snapshot stored the same content) as soon as the walk leaves it. Memory grows with the depth
 * of the tree and the width of the folders on the current path, never with the snapshot.
 *
 * A folder's hash covers its entries' names, types, sizes, mtimes, modes and, for folders, their
 * own hashes: like restic's tree ids, equal hashes mean equal subtrees.
 */
export class IndexBuilder {
  private readonly stack: Frame[] = [{ path: '/', entries: [], childTotals: new Map() }];
  private pending: ResticLsNode[] = [];
  private count = 0;
  private stored = 0;

  constructor(
    private readonly store: SnapshotIndexStore,
    /** nodes written per transaction */
    private readonly batchSize = 2000,
  ) {}

  add(node: ResticLsNode): void {
    this.pending.push(node);
    if (this.pending.length >= this.batchSize) this.flush();
  }

  /** Closes every open folder; returns the root. */
  finish(): BuiltSnapshot {
    this.flush();
    const root = this.store.transaction(() => {
      let closed = this.close();
      while (this.stack.length > 0) closed = this.close();
      this.store.syncNameSearch();
      return closed;
    });
    return {
      root: root.hash,
      totals: root.totals,
      entryCount: this.count,
      newFolders: this.stored,
    };
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const nodes = this.pending;
    this.pending = [];
    this.store.transaction(() => {
      for (const node of nodes) this.take(node);
      this.store.syncNameSearch();
    });
  }

  private take(node: ResticLsNode): void {
    const parent = parentOf(node.path);
    while (this.stack.at(-1)!.path !== parent) {
      if (this.stack.length === 1) throw new ListingOrderError(node.path);
      this.close();
    }
    const frame = this.stack.at(-1)!;
    const type = entryType(node.type);
    frame.entries.push({
      name: node.name,
      type,
      size: type === 'file' ? node.size : 0,
      mtime: node.mtime,
      mode: node.mode,
      child: null,
    });
    this.count++;
    if (type === 'dir') {
      this.stack.push({ path: node.path, entries: [], childTotals: new Map() });
    }
  }

  /** Hashes and stores the innermost open folder, and hands its hash to its parent's entry. */
  private close(): { hash: Buffer; totals: FolderTotals } {
    const frame = this.stack.pop()!;
    const order = frame.entries.map((_, index) => index);
    order.sort((a, b) => byName(frame.entries[a], frame.entries[b]));
    const entries = order.map((index) => frame.entries[index]);
    const hash = createHash('sha256');
    const totals: FolderTotals = { totalSize: 0, fileCount: 0, entryCount: entries.length };
    order.forEach((index) => {
      const entry = frame.entries[index];
      hash.update(
        `${entry.name}\0${entry.type}\0${entry.size}\0${entry.mtime}\0${entry.mode}\0${entry.child?.toString('hex') ?? ''}\n`,
      );
      if (entry.type === 'file') {
        totals.totalSize += entry.size;
        totals.fileCount += 1;
      }
      const below = frame.childTotals.get(index);
      if (below) {
        totals.totalSize += below.totalSize;
        totals.fileCount += below.fileCount;
      }
    });
    const key = hash.digest().subarray(0, 16);
    if (this.store.putFolder(key, totals, entries)) this.stored++;
    const parent = this.stack.at(-1);
    if (parent) {
      const name = frame.path.slice(frame.path.lastIndexOf('/') + 1);
      // the folder's own node is the last entry its parent received
      const position = parent.entries.length - 1;
      const entry = parent.entries[position];
      if (entry?.name === name && entry.type === 'dir') {
        entry.child = key;
        parent.childTotals.set(position, totals);
      }
    }
    return { hash: key, totals };
  }
}
