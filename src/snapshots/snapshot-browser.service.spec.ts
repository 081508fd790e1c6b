import { SnapshotNotFoundError, SnapshotRefs } from './snapshot-refs';
import type { ResticService } from '../repositories/restic.service';
import type { ResticLsNode } from '../restic/restic.types';
import type { RepositoriesService } from '../repositories/repositories.service';
import { LISTING_CACHE_LIMITS, SnapshotBrowserService } from './snapshot-browser.service';
import { InvalidPathError, parentOf } from './snapshot-paths';
import type { SnapshotsService } from './snapshots.service';

const FULL = 'abcdef12'.padEnd(64, '0');

const node = (path: string, type: string): ResticLsNode => ({
  name: path.slice(path.lastIndexOf('/') + 1),
  path,
  type,
  size: type === 'file' ? 3 : 0,
  mtime: '2026-01-01T00:00:00Z',
  mode: 0o644,
});

/** The snapshot, in the order restic walks it: depth first, each folder sorted by name. */
const TREE: ResticLsNode[] = [
  node('/data', 'dir'),
  ...[0, 1, 2, 3, 4].map((i) => node(`/data/f${i}`, 'file')),
  node('/data/sub', 'dir'),
  node('/data/sub/x', 'file'),
  node('/zeta', 'dir'),
  node('/zeta/z', 'file'),
];

interface LsOptions {
  folder?: string;
  onSnapshot?: (id: string) => void;
  background?: boolean;
  signal?: AbortSignal;
}

/** A gate that tests open by hand; open from the start unless closed. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('SnapshotBrowserService', () => {
  let runs: LsOptions[];
  let browser: SnapshotBrowserService;
  /** the whole listing stops before the node at this index until `wholeGate` opens */
  let pauseAt: number;
  let wholeGate: ReturnType<typeof gate>;
  let folderGate: ReturnType<typeof gate>;
  let failFolderRuns: boolean;
  let failWholeRuns: boolean;

  const wholeRuns = () => runs.filter((r) => r.folder === undefined).length;
  const folderRuns = () => runs.filter((r) => r.folder !== undefined).map((r) => r.folder);

  beforeEach(() => {
    runs = [];
    pauseAt = -1;
    wholeGate = gate();
    folderGate = gate();
    wholeGate.open();
    folderGate.open();
    failFolderRuns = false;
    failWholeRuns = false;
    const restic = {
      ls: async (
        _target: unknown,
        id: string,
        onNode: (node: ResticLsNode) => void,
        opts: LsOptions = {},
      ) => {
        runs.push(opts);
        await Promise.resolve();
        if (!FULL.startsWith(id)) return '';
        opts.onSnapshot?.(FULL);
        if (opts.folder !== undefined) {
          await folderGate.opened;
          if (failFolderRuns) throw new Error('folder run failed');
          for (const n of TREE) {
            if (n.path === opts.folder || parentOf(n.path) === opts.folder) onNode(n);
          }
          return FULL;
        }
        for (const [i, n] of TREE.entries()) {
          if (i === pauseAt) await wholeGate.opened;
          if (failWholeRuns) throw new Error('whole run failed');
          if (opts.signal?.aborted) throw new Error('canceled');
          onNode(n);
        }
        return FULL;
      },
    } as unknown as ResticService;
    browser = new SnapshotBrowserService(
      {
        target: () => ({ name: 'local', location: '/repo', env: {} }),
      } as unknown as RepositoriesService,
      {} as SnapshotsService,
      restic,
      new SnapshotRefs({} as SnapshotsService),
    );
  });

  it('lists folders of a snapshot from one whole restic ls, shared by concurrent requests', async () => {
    const [root, data] = await Promise.all([
      browser.folder('local', 'ABCDEF12', '/', 0, 10),
      browser.folder('local', 'abcdef12', '/data/', 0, 10),
    ]);
    expect(root.entries.map((e) => e.name)).toEqual(['data', 'zeta']);
    expect(data.total).toBe(6);
    const page = await browser.folder('local', 'abcdef12', '/data', 4, 10);
    expect(page.entries.map((e) => e.name)).toEqual(['f4', 'sub']);
    expect((await browser.folder('local', 'abcdef12', '/data/sub', 0, 10)).total).toBe(1);
    expect(wholeRuns()).toBe(1);
    expect(root.snapshotId).toBe(FULL);
    // the whole listing runs at low priority; the first two requests also ran their folder
    expect(runs.find((r) => r.folder === undefined)?.background).toBe(true);
    expect(folderRuns()).toEqual(['/', '/data']);
  });

  it('answers the first folder from a folder run while the whole listing still loads', async () => {
    pauseAt = 1; // the whole listing stalls right after /data
    wholeGate = gate();
    const page = await browser.folder('local', 'abcdef12', '/data', 0, 2);
    expect(page).toMatchObject({ folder: '/data', total: 6, start: 0, snapshotId: FULL });
    expect(page.entries.map((e) => [e.name, e.type, e.size])).toEqual([
      ['f0', 'file', 3],
      ['f1', 'file', 3],
    ]);
    // the next page comes from the same folder run, kept while the listing loads
    const next = await browser.folder('local', 'abcdef12', '/data', 2, 10);
    expect(next.entries.map((e) => e.name)).toEqual(['f2', 'f3', 'f4', 'sub']);
    expect(folderRuns()).toEqual(['/data']);
    wholeGate.open();
    // once the whole listing is kept, the same pages come from it, with no further run
    await new Promise((resolve) => setImmediate(resolve));
    const again = await browser.folder('local', 'abcdef12', '/data', 0, 2);
    expect(again).toEqual(page);
    expect([wholeRuns(), folderRuns().length]).toEqual([1, 1]);
  });

  it('answers a folder the whole listing has walked past without waiting for the rest', async () => {
    folderGate = gate(); // folder runs never finish in this test
    // /data and /data/sub are complete once /zeta has come (restic walks depth first)
    pauseAt = TREE.findIndex((n) => n.path === '/zeta/z');
    wholeGate = gate();
    const sub = browser.folder('local', 'abcdef12', '/data/sub', 0, 10);
    const data = browser.folder('local', 'abcdef12', '/data', 0, 10);
    expect((await sub).entries.map((e) => e.name)).toEqual(['x']);
    expect((await data).entries.map((e) => e.name)).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'sub']);
    // a folder the walk has not reached waits for it
    let zeta: string[] | undefined;
    const pending = browser
      .folder('local', 'abcdef12', '/zeta', 0, 10)
      .then((p) => (zeta = p.entries.map((e) => e.name)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(zeta).toBeUndefined();
    wholeGate.open();
    await pending;
    expect(zeta).toEqual(['z']);
    expect(wholeRuns()).toBe(1);
  }, 5_000);

  it('tells a missing snapshot or folder from a file or a bad path', async () => {
    const refusals = async () => {
      await expect(browser.folder('local', 'deadbeef', '/', 0, 10)).rejects.toThrow();
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
    };
    // answered by folder runs while the whole listing stalls
    pauseAt = 0;
    wholeGate = gate();
    await refusals();
    expect(wholeRuns()).toBe(2); // deadbeef, abcdef12
    // and the same once it is complete
    wholeGate.open();
    await browser.listing('local', 'abcdef12');
    folderGate = gate();
    await refusals();
    // a failed load is not kept: the unknown snapshot is asked again
    expect(wholeRuns()).toBe(3);
  });

  it('falls back on the whole listing when a folder run fails, and keeps no failed run', async () => {
    failFolderRuns = true;
    expect((await browser.folder('local', 'abcdef12', '/data', 0, 10)).total).toBe(6);

    const other = new SnapshotBrowserService(
      { target: () => ({}) } as unknown as RepositoriesService,
      {} as SnapshotsService,
      (browser as unknown as { restic: ResticService }).restic,
      new SnapshotRefs({} as SnapshotsService),
    );
    failWholeRuns = true;
    await expect(other.folder('local', 'abcdef12', '/data', 0, 10)).rejects.toThrow(
      'folder run failed',
    );
    failFolderRuns = false;
    // the folder run alone answers; the whole listing fails again and is not kept
    expect((await other.folder('local', 'abcdef12', '/data', 0, 10)).total).toBe(6);
    failWholeRuns = false;
    await new Promise((resolve) => setImmediate(resolve));
    await other.folder('local', 'abcdef12', '/zeta', 0, 10);
    await new Promise((resolve) => setImmediate(resolve));
    const before = runs.length;
    await other.folder('local', 'abcdef12', '/data/sub', 0, 10);
    expect(runs.length).toBe(before); // kept at last
  });

  it('stops a listing too large to keep, and answers its folders from folder runs', async () => {
    const { maxEntries } = LISTING_CACHE_LIMITS;
    LISTING_CACHE_LIMITS.maxEntries = 3;
    try {
      expect((await browser.folder('local', 'abcdef12', '/data', 0, 10)).total).toBe(6);
      await new Promise((resolve) => setImmediate(resolve));
      expect((await browser.folder('local', 'abcdef12', '/zeta', 0, 10)).total).toBe(1);
      expect(wholeRuns()).toBe(1); // not tried again
      expect(folderRuns()).toEqual(['/data', '/zeta']);
    } finally {
      LISTING_CACHE_LIMITS.maxEntries = maxEntries;
    }
  });
});
