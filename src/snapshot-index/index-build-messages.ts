import type { FolderTotals } from './snapshot-index-store';

/** What the indexing thread is started with. */
export interface IndexBuildData {
  /** the index file, which the daemon has opened (and checked) already */
  file: string;
}

/** Main thread → indexing thread: bytes of `restic ls --json`, then their end. */
export type ToIndexBuild = { type: 'chunk'; data: Uint8Array } | { type: 'end' };

/** Indexing thread → main thread. */
export type FromIndexBuild =
  /** bytes taken in, so that more may be sent */
  | { type: 'taken'; bytes: number }
  | {
      type: 'built';
      root: Uint8Array;
      totals: FolderTotals;
      entryCount: number;
      newFolders: number;
    }
  | { type: 'failed'; name: string; message: string; code?: string };
