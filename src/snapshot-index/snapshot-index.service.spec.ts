import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { LiveConfig } from '../config/live-config';
import type { RepositoriesService } from '../repositories/repositories.service';
import type { ResticService } from '../repositories/restic.service';
import type { ResticLsNode, ResticSnapshot } from '../restic/restic.types';
import { SnapshotIndexService } from './snapshot-index.service';

const node = (path: string, type: string, size = 0): ResticLsNode => ({
  name: path.slice(path.lastIndexOf('/') + 1),
  type,
  path,
  size,
  mtime: '2026-01-01T00:00:00Z',
  mode: 0o644,
});

/** A snapshot of its own: one folder with `files` files named after the snapshot. */
const listing = (tag: string, files: number): ResticLsNode[] => [
  node('/data', 'dir'),
  ...Array.from({ length: files }, (_, i) => node(`/data/${tag}-${i}.txt`, 'file', i + 1)),
];

describe('SnapshotIndexService', () => {
  let dir: string;
  let service: SnapshotIndexService;
  let present: ResticSnapshot[];
  const lsRuns: string[] = [];
  const config = {
    current: {
      dataDir: '',
      limits: {},
      repositories: { r: {} },
      index: {} as { maxSizeBytes?: number },
    },
  };
  const snapshot = (id: string, day: number): ResticSnapshot => ({
    id: id.repeat(64),
    shortId: id.repeat(8),
    time: `2026-01-0${day}T00:00:00Z`,
    hostname: 'h',
    paths: ['/data'],
    tags: ['backup=b'],
    tree: '',
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-index-service-'));
    config.current.dataDir = dir;
    config.current.index = {};
    lsRuns.length = 0;
    present = [snapshot('a', 1), snapshot('b', 2), snapshot('c', 3)];
    const restic = {
      snapshots: () => Promise.resolve(present.map((s) => ({ ...s }))),
      // restic's JSON lines, as the indexing thread reads them
      lsJson: async (_target: unknown, id: string, output: Writable) => {
        lsRuns.push(id[0]);
        const lines = [JSON.stringify({ struct_type: 'snapshot', id })];
        for (const n of listing(id[0], 3000))
          lines.push(JSON.stringify({ struct_type: 'node', ...n }));
        for (const line of lines) {
          if (!output.write(`${line}\n`)) await once(output, 'drain');
        }
      },
    } as unknown as ResticService;
    service = new SnapshotIndexService(config as unknown as LiveConfig, restic, {
      target: () => ({ name: 'r' }),
    } as unknown as RepositoriesService);
  });
  afterEach(() => {
    service.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('indexes what restic lists, newest first, once; drops what restic no longer lists', async () => {
    expect(await service.behind('r')).toBe(true);
    expect(await service.sync('r')).toEqual({ indexed: 3, removed: 0, evicted: 0 });
    expect(lsRuns).toEqual(['c', 'b', 'a']);
    expect(await service.behind('r')).toBe(false);
    expect(await service.sync('r')).toEqual({ indexed: 0, removed: 0, evicted: 0 });
    const page = service.folder('r', 'b'.repeat(64), '/data', 0, 2);
    expect(page).toEqual({
      page: {
        folder: '/data',
        totals: { totalSize: (3000 * 3001) / 2, fileCount: 3000, entryCount: 3000 },
        entries: [
          expect.objectContaining({ name: 'b-0.txt', size: 1 }),
          expect.objectContaining({ name: 'b-1.txt', size: 2 }),
        ],
      },
    });
    expect(service.folder('r', 'b'.repeat(64), '/nowhere', 0, 2)).toEqual({ missing: true });
    expect(service.folder('r', 'b'.repeat(64), '/data/b-0.txt', 0, 2)).toEqual({
      notAFolder: true,
    });
    expect(service.fullId('r', 'bbbbbbbb')).toBe('b'.repeat(64));

    present = present.filter((s) => s.id[0] !== 'a');
    expect(await service.sync('r')).toEqual({ indexed: 0, removed: 1, evicted: 0 });
    expect(service.state('r', 'a'.repeat(64))).toBe('not-indexed');
    expect(service.history({ repository: 'r' }, '/data/a-0.txt')).toEqual([]);
    expect(service.history({ repository: 'r' }, '/data/b-0.txt')[0].versions).toEqual([
      expect.objectContaining({ snapshotId: 'b'.repeat(64), present: true }),
      expect.objectContaining({ snapshotId: 'c'.repeat(64), present: false }),
    ]);
  });

  it('evicts the least used snapshots above the ceiling, and does not index them again', async () => {
    await service.sync('r');
    const total = service.totals().bytes;
    // browsing `a` makes it the most recently used
    await new Promise((resolve) => setTimeout(resolve, 5));
    jest.useFakeTimers({ now: Date.now() + 3_600_000, doNotFake: ['setTimeout', 'setImmediate'] });
    try {
      expect(service.folder('r', 'a'.repeat(64), '/data', 0, 1)).toBeDefined();
    } finally {
      jest.useRealTimers();
    }
    config.current.index = { maxSizeBytes: Math.floor(total / 2) };
    const report = await service.sync('r');
    expect(report.evicted).toBeGreaterThanOrEqual(1);
    expect(service.state('r', 'a'.repeat(64))).toBe('indexed');
    expect(service.totals().bytes).toBeLessThan(total);
    const evicted = ['b', 'c'].filter((id) => service.state('r', id.repeat(64)) === 'evicted');
    expect(evicted.length).toBe(report.evicted);
    expect(service.folder('r', evicted[0].repeat(64), '/data', 0, 1)).toBeUndefined();
    lsRuns.length = 0;
    config.current.index = {};
    expect((await service.sync('r')).indexed).toBe(0);
    expect(lsRuns).toEqual([]);
  });

  it('finds names stored after forgotten ones were collected (their ids are given again)', async () => {
    const search = (phrase: string) =>
      service
        .search(
          { repository: 'r' },
          { match: { kind: 'trigram', phrase: `"${phrase}"` }, size: {}, mtime: {} },
          10,
        )
        .items.map((item) => item.path);
    await service.sync('r');
    // `a` was indexed last (newest first): its names have the highest ids, and go with it
    present = present.filter((s) => s.id[0] !== 'a');
    await service.sync('r');
    expect(search('a-12.txt')).toEqual([]);
    present.push(snapshot('d', 4));
    expect((await service.sync('r')).indexed).toBe(1);
    expect(search('d-12.txt')).toEqual(['/data/d-12.txt']);
    expect(search('b-12.txt')).toEqual(['/data/b-12.txt']);
  });

  it('rebuilds the index when its file was deleted while the daemon ran', async () => {
    await service.sync('r');
    rmSync(join(dir, 'snapshot-index.db'));
    present.push(snapshot('d', 4));
    lsRuns.length = 0;
    // the indexing thread cannot open the file: the index starts again and this run rebuilds it
    expect((await service.sync('r')).indexed).toBe(4);
    // `d` first failed (no file), then everything, newest first, into the new file
    expect(lsRuns).toEqual(['d', 'd', 'c', 'b', 'a']);
    expect(service.state('r', 'a'.repeat(64))).toBe('indexed');
  });
});
