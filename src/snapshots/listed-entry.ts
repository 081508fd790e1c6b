/** One entry of a snapshot's folder, as browsing answers it, whether from restic or the index. */
import type { ResticLsNode } from '../restic/restic.types';

export type SnapshotEntryType = 'file' | 'dir' | 'symlink' | 'other';

/** One entry of a folder; its path is rebuilt from the folder, to keep folders small. */
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

export const entryType = (type: string): SnapshotEntryType =>
  type === 'file' || type === 'dir' || type === 'symlink' ? type : 'other';

/** What a folder keeps of a node of `restic ls`. */
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
