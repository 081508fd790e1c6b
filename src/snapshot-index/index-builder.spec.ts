import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResticLsNode } from '../restic/restic.types';
import { IndexBuilder, ListingOrderError } from './index-builder';
import { nameMatch } from './index-query';
import { IndexSearch } from './index-search';
import { SnapshotIndexStore, type IndexedSnapshotRow } from './snapshot-index-store';

const dir = (path: string): ResticLsNode => ({
  name: path.slice(path.lastIndexOf('/') + 1),
  type: 'dir',
  path,
  size: 0,
  mtime: '2026-01-01T00:00:00Z',
  mode: 0o755,
});
const file = (path: string, size: number, mtime = '2026-01-02T00:00:00Z'): ResticLsNode => ({
  name: path.slice(path.lastIndexOf('/') + 1),
  type: 'file',
  path,
  size,
  mtime,
  mode: 0o644,
});

/** A depth-first listing, as restic ls gives it. */
const tree = (changed: number): ResticLsNode[] => [
  dir('/data'),
  dir('/data/a'),
  file('/data/a/budget.xlsx', 100 + changed),
  file('/data/a/notes.txt', 5),
  dir('/data/b'),
  file('/data/b/budget.xlsx', 7),
  dir('/data/b/deep'),
  file('/data/b/deep/ünïcødé.md', 3),
  file('/data/z', 1),
];

describe('IndexBuilder and the store', () => {
  let folder: string;
  let store: SnapshotIndexStore;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'hen-index-'));
    store = new SnapshotIndexStore(join(folder, 'index.db'));
  });
  afterEach(() => {
    store.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const build = (nodes: ResticLsNode[], id: string, time: string): IndexedSnapshotRow => {
    const builder = new IndexBuilder(store, 3);
    for (const node of nodes) builder.add(node);
    const built = builder.finish();
    store.addSnapshot({
      repository: 'r',
      snapshotId: id,
      backup: 'b',
      time,
      meta: '{}',
      root: built.root,
      totals: built.totals,
      entryCount: built.entryCount,
      indexBytes: 0,
      at: time,
    });
    return store.snapshot('r', id)!;
  };

  it('stores folders sorted, with totals, and shares unchanged folders between snapshots', () => {
    const first = build(tree(0), 'a'.repeat(64), '2026-01-01T00:00:00Z');
    expect(first.totalSize).toBe(100 + 5 + 7 + 3 + 1);
    expect(first.fileCount).toBe(5);
    expect(first.entryCount).toBe(9);
    const data = store.entry(first.root!, 'data')!;
    const page = store.entries(data.child!, 0, 10);
    expect(page.map((e) => e.name)).toEqual(['a', 'b', 'z']);
    expect(page[1]).toMatchObject({ type: 'dir', totalSize: 10, fileCount: 2 });
    expect(store.entries(data.child!, 1, 1).map((e) => e.name)).toEqual(['b']);

    const foldersBefore = countFolders();
    const second = build(tree(1), 'b'.repeat(64), '2026-01-02T00:00:00Z');
    // /data/a changed, so /data and the root changed: three new folders; /data/b is shared
    expect(countFolders() - foldersBefore).toBe(3);
    expect(second.root!.equals(first.root!)).toBe(false);
    const third = build(tree(1), 'c'.repeat(64), '2026-01-03T00:00:00Z');
    expect(third.root!.equals(second.root!)).toBe(true);
  });

  /** Distinct folders reachable from the snapshots' roots. */
  function countFolders(): number {
    const distinct = new Set<string>();
    const visit = (hash: Buffer) => {
      const key = hash.toString('hex');
      if (distinct.has(key)) return;
      distinct.add(key);
      for (const entry of store.entries(hash, 0, 1000)) if (entry.child) visit(entry.child);
    };
    for (const row of store.snapshots()) if (row.root) visit(row.root);
    return distinct.size;
  }

  it('finds names by substring and glob, grouped by path with the versions that changed', () => {
    build(tree(0), 'a'.repeat(64), '2026-01-01T00:00:00Z');
    build(tree(0), 'b'.repeat(64), '2026-01-02T00:00:00Z');
    build(tree(1), 'c'.repeat(64), '2026-01-03T00:00:00Z');
    const search = new IndexSearch(store, store.snapshots());
    const filter = { size: {}, mtime: {} };
    const found = search.page({ ...filter, match: nameMatch('BUDGET', null) }, 10);
    expect(found.items.map((i) => i.path)).toEqual(['/data/a/budget.xlsx', '/data/b/budget.xlsx']);
    expect(found.items[0].versions.map((v) => [v.snapshotId[0], v.size, v.snapshots])).toEqual([
      ['a', 100, 2],
      ['c', 101, 1],
    ]);
    expect(found.items[1].versions).toHaveLength(1);
    expect(found.totalCount).toBe(2);

    const globbed = search.page({ ...filter, match: nameMatch(null, '*.md') }, 10);
    expect(globbed.items.map((i) => i.path)).toEqual(['/data/b/deep/ünïcødé.md']);
    const under = search.page(
      { ...filter, match: nameMatch('budget', null), under: '/data/b' },
      10,
    );
    expect(under.items.map((i) => i.path)).toEqual(['/data/b/budget.xlsx']);
    const sized = search.page({ ...filter, match: nameMatch(null, '*'), size: { min: 50 } }, 10);
    expect(sized.items.map((i) => i.path)).toEqual(['/data/a/budget.xlsx']);

    // everything, one item per page: every path comes exactly once
    const paths: string[] = [];
    let after;
    for (;;) {
      const page = new IndexSearch(store, store.snapshots()).page(
        { ...filter, match: nameMatch(null, '*') },
        1,
        after,
      );
      paths.push(...page.items.map((i) => i.path));
      if (!page.hasNextPage) break;
      after = page.items[0].key;
    }
    expect(paths.sort()).toEqual(
      tree(0)
        .map((n) => n.path)
        .sort(),
    );
  });

  it('drops folders no snapshot reaches any more', () => {
    const first = build(tree(0), 'a'.repeat(64), '2026-01-01T00:00:00Z');
    build(tree(1), 'b'.repeat(64), '2026-01-02T00:00:00Z');
    store.deleteSnapshot(first.rowId);
    expect(store.collectGarbage()).toBe(3);
    expect(store.collectGarbage()).toBe(0);
    const search = new IndexSearch(store, store.snapshots());
    const found = search.page({ size: {}, mtime: {}, match: nameMatch('budget', null) }, 10);
    expect(found.items[0].versions.map((v) => v.size)).toEqual([101]);
  });

  it('refuses a listing that is not depth first', () => {
    const builder = new IndexBuilder(store, 1);
    builder.add(dir('/data'));
    builder.add(dir('/data/a'));
    expect(() => builder.add(file('/other/x', 1))).toThrow(ListingOrderError);
  });

  it('starts again empty from a damaged file', () => {
    build(tree(0), 'a'.repeat(64), '2026-01-01T00:00:00Z');
    store.close();
    writeFileSync(join(folder, 'index.db'), 'not a database, not at all'.repeat(300));
    const reasons: string[] = [];
    store = new SnapshotIndexStore(join(folder, 'index.db'), (reason) => reasons.push(reason));
    expect(reasons).toHaveLength(1);
    expect(store.snapshots()).toEqual([]);
    build(tree(0), 'a'.repeat(64), '2026-01-01T00:00:00Z');
    expect(store.snapshots()).toHaveLength(1);
  });
});
