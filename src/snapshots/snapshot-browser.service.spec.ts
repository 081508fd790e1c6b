import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeResticLs, lsNode as node } from '../../test/support/fake-restic-ls';
import type { LiveConfig } from '../config/live-config';
import type { PageArgs } from '../common/graphql/connection';
import type { RepositoriesService } from '../repositories/repositories.service';
import type { ResticSnapshot } from '../restic/restic.types';
import type { IndexFollowUp } from '../snapshot-index/index-follow-up';
import { SnapshotIndexStore } from '../snapshot-index/snapshot-index-store';
import { SnapshotIndexService } from '../snapshot-index/snapshot-index.service';
import { FOLDER_CACHE_LIMITS, SnapshotBrowserService } from './snapshot-browser.service';
import { InvalidPathError } from './snapshot-paths';
import { SnapshotPages } from './snapshot-pages';
import { SnapshotNotFoundError, SnapshotRefs } from './snapshot-refs';
import type { SnapshotsService } from './snapshots.service';

const FULL = 'abcdef12'.padEnd(64, '0');
const SNAPSHOT: ResticSnapshot = {
  id: FULL,
  shortId: FULL.slice(0, 8),
  time: '2026-01-01T00:00:00Z',
  hostname: 'h',
  paths: ['/data'],
  tags: [],
  tree: '',
};
const BIG = FOLDER_CACHE_LIMITS.maxEntries + 1;

/** The snapshot, in the order restic walks it: depth first, each folder sorted by name. */
const TREE = [
  node('/big', 'dir'),
  ...Array.from({ length: BIG }, (_, i) => node(`/big/b${String(i).padStart(6, '0')}`, 'file')),
  node('/data', 'dir'),
  ...[0, 1, 2, 3, 4].map((i) => node(`/data/f${i}`, 'file')),
  node('/data/sub', 'dir'),
  node('/data/sub/x', 'file'),
  node('/zeta', 'dir'),
  node('/zeta/z', 'file'),
];

const repositories = {
  target: () => ({ name: 'local', location: '/repo', env: {} }),
  get: () => ({}),
  find: (name: string) => (name === 'local' ? {} : undefined),
} as unknown as RepositoriesService;

describe('SnapshotBrowserService, snapshots not indexed', () => {
  let restic: FakeResticLs;
  let browser: SnapshotBrowserService;
  let asked: [string, string][];

  beforeEach(() => {
    restic = new FakeResticLs(SNAPSHOT, TREE);
    asked = [];
    browser = new SnapshotBrowserService(
      repositories,
      {} as SnapshotsService,
      restic.service(),
      new SnapshotRefs({} as SnapshotsService),
      undefined,
      {
        browsedUnindexed: (repository: string, id: string) => asked.push([repository, id]),
      } as unknown as IndexFollowUp,
    );
  });

  it('lists the folders a snapshot query asks for while it looks the snapshot up', async () => {
    let listed!: (snapshots: ResticSnapshot[]) => void;
    const snapshots = {
      list: () => new Promise<ResticSnapshot[]>((resolve) => (listed = resolve)),
    } as unknown as SnapshotsService;
    const ahead = new SnapshotBrowserService(
      repositories,
      snapshots,
      restic.service(),
      new SnapshotRefs(snapshots),
    );
    const found = ahead.snapshot('local', FULL, ['/data', null, '../bad']);
    // both folder runs started before `restic snapshots` answered; the bad path started nothing
    expect(restic.folderRuns()).toEqual(['/data', '/']);
    listed([SNAPSHOT]);
    expect(await found).toEqual(SNAPSHOT);
    const page = await ahead.folder('local', FULL, '/data', 0, 10);
    expect(page.entries.map((e) => e.name)).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'sub']);
    expect(restic.runs).toHaveLength(2);
    // a prefix or `latest` is looked up first, as before
    const byPrefix = ahead.snapshot('local', 'abcdef12', ['/zeta']);
    listed([SNAPSHOT]);
    expect(await byPrefix).toEqual(SNAPSHOT);
    expect(restic.runs).toHaveLength(2);
  });

  it('answers a folder from one restic ls of that folder, and its next pages from memory', async () => {
    const first = await browser.folder('local', 'abcdef12', '/data/', 0, 2);
    expect(first).toMatchObject({ folder: '/data', total: 6, start: 0, snapshotId: FULL });
    expect(first.entries.map((e) => [e.name, e.type, e.size])).toEqual([
      ['f0', 'file', 3],
      ['f1', 'file', 3],
    ]);
    const rest = await browser.folder('local', 'abcdef12', '/data', 2, 10);
    expect(rest.entries.map((e) => e.name)).toEqual(['f2', 'f3', 'f4', 'sub']);
    expect((await browser.folder('local', 'abcdef12', '/data', 6, 10)).entries).toEqual([]);
    expect(
      (await browser.folder('local', 'abcdef12', '/', 0, 10)).entries.map((e) => e.name),
    ).toEqual(['big', 'data', 'zeta']);
    // one run per folder, never a whole listing of the snapshot
    expect(restic.folderRuns()).toEqual(['/data', '/']);
    expect(restic.wholeRuns()).toBe(0);
    // the snapshot is not indexed: browsing it asks for its index job
    expect(asked).toContainEqual(['local', FULL]);
  });

  it('shares one run between concurrent requests for a folder', async () => {
    restic.close();
    const pages = Promise.all([
      browser.folder('local', 'abcdef12', '/data', 0, 2),
      browser.folder('local', 'abcdef12', '/data', 2, 2),
      browser.entry('local', 'abcdef12', '/data', 'sub'),
    ]);
    restic.open();
    const [a, b, entry] = await pages;
    expect([...a.entries, ...b.entries].map((e) => e.name)).toEqual(['f0', 'f1', 'f2', 'f3']);
    expect(entry).toMatchObject({ folder: '/data', snapshotId: FULL, entry: { name: 'sub' } });
    expect(restic.folderRuns()).toEqual(['/data']);
  });

  it('tells a missing snapshot or folder from a file or a bad path', async () => {
    for (let round = 0; round < 2; round++) {
      await expect(browser.folder('local', 'deadbeef', '/', 0, 10)).rejects.toThrow(
        SnapshotNotFoundError,
      );
      await expect(browser.folder('local', 'abcdef12', '/nowhere', 0, 10)).rejects.toThrow(
        new SnapshotNotFoundError(`no folder "/nowhere" in snapshot ${FULL}`),
      );
      await expect(browser.folder('local', 'abcdef12', '/data/f1', 0, 10)).rejects.toThrow(
        /"\/data\/f1" is not a folder/,
      );
      await expect(browser.folder('local', 'abcdef12', '/data/../etc', 0, 10)).rejects.toThrow(
        InvalidPathError,
      );
      await expect(browser.folder('local', 'abcdef12', '/data', 7, 10)).rejects.toThrow(
        /past the end/,
      );
    }
    // refusals are not kept; the folder answered once is, whatever page was asked
    expect(restic.folderRuns()).toEqual([
      '/',
      '/nowhere',
      '/data/f1',
      '/data',
      '/',
      '/nowhere',
      '/data/f1',
    ]);
    expect(await browser.entry('local', 'abcdef12', '/data', 'nothing')).toEqual({
      folder: '/data',
      snapshotId: FULL,
      entry: undefined,
    });
  });

  it('keeps no failed run: the next request runs restic again', async () => {
    restic.failure = new Error('restic failed');
    await expect(browser.folder('local', 'abcdef12', '/data', 0, 10)).rejects.toThrow(
      'restic failed',
    );
    restic.failure = undefined;
    expect((await browser.folder('local', 'abcdef12', '/data', 0, 10)).total).toBe(6);
    expect((await browser.folder('local', 'abcdef12', '/data', 2, 10)).total).toBe(6);
    expect(restic.folderRuns()).toEqual(['/data', '/data']);
  });

  it('runs restic again for each page of a folder too large to keep', async () => {
    const first = await browser.folder('local', 'abcdef12', '/big', 0, 100);
    const next = await browser.folder('local', 'abcdef12', '/big', 100, 100);
    expect([first.total, first.entries[0].name, next.entries[0].name]).toEqual([
      BIG,
      'b000000',
      'b000100',
    ]);
    expect(restic.folderRuns()).toEqual(['/big', '/big']);
  });

  it('keeps a bounded number of folders, least recently used out first', async () => {
    const folders = ['/', '/data', '/data/sub', '/zeta'];
    const { maxFolders } = FOLDER_CACHE_LIMITS;
    FOLDER_CACHE_LIMITS.maxFolders = 3;
    try {
      const small = new SnapshotBrowserService(
        repositories,
        {} as SnapshotsService,
        restic.service(),
        new SnapshotRefs({} as SnapshotsService),
      );
      for (const folder of folders) await small.folder('local', FULL, folder, 0, 1);
      await small.folder('local', FULL, '/zeta', 0, 1);
      await small.folder('local', FULL, '/', 0, 1); // the least recently used: run again
      expect(restic.folderRuns()).toEqual([...folders, '/']);
    } finally {
      FOLDER_CACHE_LIMITS.maxFolders = maxFolders;
    }
  });
});

describe('SnapshotBrowserService, indexed snapshots', () => {
  let dir: string;
  let index: SnapshotIndexService;
  let restic: FakeResticLs;
  let pages: (withIndex: boolean) => SnapshotPages;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hen-browse-index-'));
    restic = new FakeResticLs(SNAPSHOT, TREE);
    const config = {
      current: { dataDir: dir, limits: {}, repositories: { local: {} }, index: {} },
    };
    index = new SnapshotIndexService(
      config as unknown as LiveConfig,
      restic.service(),
      repositories,
    );
    await index.sync('local');
    restic.runs.length = 0;
    pages = (withIndex) =>
      new SnapshotPages(
        repositories,
        {} as SnapshotsService,
        new SnapshotBrowserService(
          repositories,
          {} as SnapshotsService,
          restic.service(),
          new SnapshotRefs({} as SnapshotsService),
          withIndex ? index : undefined,
        ),
      );
  });
  afterEach(() => {
    jest.restoreAllMocks();
    index.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a page of an indexed folder from the index by position, as restic would answer it', async () => {
    const read = jest.spyOn(SnapshotIndexStore.prototype, 'entries');
    const fromIndex = pages(true);
    const fromRestic = pages(false);
    const shape = (connection: Awaited<ReturnType<SnapshotPages['entriesOf']>>) => ({
      path: connection.path,
      totalCount: connection.totalCount,
      pageInfo: connection.pageInfo,
      edges: connection.edges.map((e) => [e.cursor, e.node.id, e.node.name, e.node.size]),
    });
    const both = async (path: string, page: PageArgs) => {
      const indexed = await fromIndex.entriesOf('local', 'abcdef12', path, page).then(shape);
      const listed = await fromRestic.entriesOf('local', 'abcdef12', path, page).then(shape);
      expect([path, page, indexed]).toEqual([path, page, listed]);
      return indexed;
    };
    const first = await both('/data', { first: 2 });
    expect(first.edges.map((e) => e[2])).toEqual(['f0', 'f1']);
    expect([first.totalCount, first.pageInfo.hasNextPage]).toEqual([6, true]);
    const after = first.pageInfo.endCursor!;
    const second = await both('/data', { first: 2, after });
    expect(second.edges.map((e) => e[2])).toEqual(['f2', 'f3']);
    await both('/data', { last: 2 });
    await both('/data', { last: 3, before: second.pageInfo.startCursor });
    await both('/data', { first: 10, after: second.pageInfo.endCursor });
    const big = await both('/big', { first: 100 });
    await both('/big', { first: 100, after: big.pageInfo.endCursor });
    await both('/', {});
    await both('/data/sub', { first: 5 });

    // the index read pages, never a whole folder
    const limits = read.mock.calls.map(([, , limit]) => limit);
    expect(limits.length).toBeGreaterThan(0);
    expect(Math.max(...limits)).toBeLessThanOrEqual(100);
    // restic ran for the unindexed answers only
    expect(restic.wholeRuns()).toBe(0);
    expect(restic.folderRuns()).toEqual(['/data', '/big', '/big', '/', '/data/sub']);
  });

  it('gives folder totals, and the same refusals, from the index', async () => {
    const browser = new SnapshotBrowserService(
      repositories,
      {} as SnapshotsService,
      restic.service(),
      new SnapshotRefs({} as SnapshotsService),
      index,
    );
    const root = await browser.folder('local', 'abcdef12', '/', 0, 10);
    expect(root.entries.map((e) => [e.name, e.totalSize, e.fileCount])).toEqual([
      ['big', BIG * 3, BIG],
      ['data', 18, 6],
      ['zeta', 3, 1],
    ]);
    await expect(browser.folder('local', 'abcdef12', '/nowhere', 0, 10)).rejects.toThrow(
      new SnapshotNotFoundError(`no folder "/nowhere" in snapshot ${FULL}`),
    );
    await expect(browser.folder('local', 'abcdef12', '/data/f1', 0, 10)).rejects.toThrow(
      /"\/data\/f1" is not a folder/,
    );
    await expect(browser.folder('local', 'abcdef12', '/data', 7, 10)).rejects.toThrow(
      /past the end/,
    );
    const page = pages(true);
    await expect(
      page.entriesOf('local', FULL, '/data', {
        after: Buffer.from('snapshotEntry:gone').toString('base64url'),
      }),
    ).rejects.toThrow(/after names an item that is not in this list/);
    expect(await browser.entry('local', FULL, '/data', 'sub')).toMatchObject({
      entry: { name: 'sub', type: 'dir', totalSize: 3, fileCount: 1 },
    });
    expect(restic.runs).toEqual([]);
  });
});
