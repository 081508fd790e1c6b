import { createHash } from 'node:crypto';
import { childPath, isUnder } from './index-paths';
import { IndexQueryError, inRange, type Range } from './index-query';
import type {
  IndexedSnapshotRow,
  NameMatch,
  NamedEntryRow,
  SnapshotIndexStore,
} from './snapshot-index-store';

/** One state of a path, from the snapshot where it first appeared so. */
export interface PathVersion {
  repository: string;
  snapshotId: string;
  snapshotTime: string;
  /** false: the path is not in this snapshot (it was deleted or renamed away) */
  present: boolean;
  type: string | null;
  size: number | null;
  mtime: string | null;
  mode: number | null;
  /** consecutive snapshots (in time order) holding this same version */
  snapshots: number;
}

export interface PathVersions {
  repository: string;
  path: string;
  name: string;
  versions: PathVersion[];
}

export interface SearchFilter {
  match: NameMatch;
  under?: string;
  size: Range<number>;
  mtime: Range<Date>;
}

export interface SearchPage {
  items: (PathVersions & { key: SearchKey })[];
  hasNextPage: boolean;
  /** known when the search reached the end of the matches */
  totalCount: number | null;
}

/**
 * Where a result sits in the answer: name ids in index order, then paths (with the repository).
 * The path travels as a short hash, so that a cursor stays short whatever the path's length.
 */
export interface SearchKey {
  nameId: number;
  pathHash: string;
}

const hashOf = (group: PathVersions): string =>
  createHash('sha256')
    .update(`${group.path}\0${group.repository}`)
    .digest('base64url')
    .slice(0, 16);

interface Occurrence {
  snapshot: IndexedSnapshotRow;
  entry: NamedEntryRow;
}

const NAME_BATCH = 256;

const sameVersion = (a: PathVersion, type: string, size: number, mtime: string, mode: number) =>
  a.present && a.type === type && a.size === size && a.mtime === mtime && a.mode === mode;

/** The versions of a path over snapshots in time order: a new one where anything changed. */
export function versionsOf(
  snapshots: readonly IndexedSnapshotRow[],
  entryIn: (
    snapshot: IndexedSnapshotRow,
  ) => Omit<NamedEntryRow, 'folder' | 'nameId' | 'name'> | undefined,
  keepAbsent: boolean,
): PathVersion[] {
  const versions: PathVersion[] = [];
  for (const snapshot of snapshots) {
    const entry = entryIn(snapshot);
    const last = versions.at(-1);
    if (entry) {
      if (last && sameVersion(last, entry.type, entry.size, entry.mtime, entry.mode)) {
        last.snapshots++;
        continue;
      }
      versions.push({
        repository: snapshot.repository,
        snapshotId: snapshot.snapshotId,
        snapshotTime: snapshot.time,
        present: true,
        type: entry.type,
        size: entry.size,
        mtime: entry.mtime,
        mode: entry.mode,
        snapshots: 1,
      });
    } else if (keepAbsent && last) {
      if (!last.present) {
        last.snapshots++;
        continue;
      }
      versions.push({
        repository: snapshot.repository,
        snapshotId: snapshot.snapshotId,
        snapshotTime: snapshot.time,
        present: false,
        type: null,
        size: null,
        mtime: null,
        mode: null,
        snapshots: 1,
      });
    }
  }
  return versions;
}

/**
 * A name search over a set of indexed snapshots. Names come from the trigram index in id order;
 * each name's entries are found once per distinct folder holding them (folders are shared
 * between snapshots), and a folder's paths are found by walking up through the folders that
 * hold it, remembered for the whole search, so a folder common to many snapshots is walked once.
 */
export class IndexSearch {
  private readonly roots = new Map<string, IndexedSnapshotRow[]>();
  private readonly pathsMemo = new Map<string, { path: string; root: string }[]>();

  constructor(
    private readonly store: SnapshotIndexStore,
    snapshots: readonly IndexedSnapshotRow[],
  ) {
    for (const snapshot of snapshots) {
      if (!snapshot.root) continue;
      const key = snapshot.root.toString('hex');
      const list = this.roots.get(key);
      if (list) list.push(snapshot);
      else this.roots.set(key, [snapshot]);
    }
  }

  /** Up to `size` paths after `after`, grouped with their versions. */
  page(filter: SearchFilter, size: number, after?: SearchKey): SearchPage {
    const items: SearchPage['items'] = [];
    let afterId = after ? after.nameId - 1 : 0;
    let counted = 0;
    let reachedEnd = false;
    while (items.length <= size) {
      const names = this.store.names(filter.match, afterId, NAME_BATCH);
      if (names.length === 0) {
        reachedEnd = true;
        break;
      }
      for (const { id } of names) {
        afterId = id;
        if (after && id < after.nameId) continue;
        let groups = this.groups(id, filter);
        if (after && id === after.nameId) {
          const at = groups.findIndex((g) => hashOf(g) === after.pathHash);
          if (at < 0) throw new IndexQueryError('after names an item that is not in this list');
          groups = groups.slice(at + 1);
        }
        for (const group of groups) {
          counted++;
          if (items.length <= size)
            items.push({ ...group, key: { nameId: id, pathHash: hashOf(group) } });
        }
        if (items.length > size) break;
      }
    }
    const hasNextPage = items.length > size;
    return {
      items: items.slice(0, size),
      hasNextPage,
      totalCount: reachedEnd && !after ? counted : null,
    };
  }

  /** The paths holding one name in the snapshots searched, each with its versions. */
  private groups(nameId: number, filter: SearchFilter): PathVersions[] {
    const byPath = new Map<string, Occurrence[]>();
    for (const entry of this.store.entriesNamed(nameId)) {
      if (!inRange(entry.size, filter.size)) continue;
      if (filter.mtime.min != null || filter.mtime.max != null) {
        if (!inRange(Date.parse(entry.mtime), filter.mtime)) continue;
      }
      for (const { path: folder, root } of this.pathsOf(entry.folder)) {
        const path = childPath(folder, entry.name);
        if (!isUnder(path, filter.under)) continue;
        for (const snapshot of this.roots.get(root) ?? []) {
          const key = `${snapshot.repository}\0${path}`;
          const list = byPath.get(key);
          if (list) list.push({ snapshot, entry });
          else byPath.set(key, [{ snapshot, entry }]);
        }
      }
    }
    const groups: PathVersions[] = [];
    for (const [key, occurrences] of byPath) {
      const [repository, path] = key.split('\0');
      occurrences.sort(
        (a, b) =>
          a.snapshot.time.localeCompare(b.snapshot.time) || a.snapshot.rowId - b.snapshot.rowId,
      );
      const entryOf = new Map(occurrences.map((o) => [o.snapshot.rowId, o.entry]));
      groups.push({
        repository,
        path,
        name: occurrences[0].entry.name,
        versions: versionsOf(
          occurrences.map((o) => o.snapshot),
          (s) => entryOf.get(s.rowId),
          false,
        ),
      });
    }
    const order = (g: PathVersions) => `${g.path}\0${g.repository}`;
    return groups.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  }

  /** Every path (with its snapshot root) at which a folder sits in the snapshots searched. */
  private pathsOf(folder: Buffer): { path: string; root: string }[] {
    const key = folder.toString('hex');
    const known = this.pathsMemo.get(key);
    if (known) return known;
    const paths: { path: string; root: string }[] = [];
    if (this.roots.has(key)) paths.push({ path: '/', root: key });
    for (const parent of this.store.parents(folder)) {
      for (const above of this.pathsOf(parent.folder)) {
        paths.push({ path: childPath(above.path, parent.name), root: above.root });
      }
    }
    this.pathsMemo.set(key, paths);
    return paths;
  }
}
