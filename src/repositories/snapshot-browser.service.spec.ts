import type { ResticService } from '../restic/restic.service';
import type { ResticLsNode } from '../restic/restic.types';
import type { RepositoriesService } from './repositories.service';
import { SnapshotBrowserService, SnapshotNotFoundError } from './snapshot-browser.service';
import { InvalidPathError } from './snapshot-paths';
import type { SnapshotsService } from './snapshots.service';

const FULL = 'abcdef12'.padEnd(64, '0');

describe('SnapshotBrowserService', () => {
  let lsRuns: number;
  let browser: SnapshotBrowserService;

  beforeEach(() => {
    lsRuns = 0;
    const restic = {
      ls: async (_target: unknown, id: string, onNode: (node: ResticLsNode) => void) => {
        lsRuns++;
        await Promise.resolve();
        if (!FULL.startsWith(id)) return '';
        const node = (path: string, type: string): ResticLsNode => ({
          name: path.slice(path.lastIndexOf('/') + 1),
          path,
          type,
          size: type === 'file' ? 3 : 0,
          mtime: '2026-01-01T00:00:00Z',
          mode: 0o644,
        });
        onNode(node('/data', 'dir'));
        for (let i = 0; i < 5; i++) onNode(node(`/data/f${i}`, 'file'));
        onNode(node('/data/sub', 'dir'));
        return FULL;
      },
    } as unknown as ResticService;
    browser = new SnapshotBrowserService(
      {
        target: () => ({ name: 'local', location: '/repo', env: {} }),
      } as unknown as RepositoriesService,
      {} as SnapshotsService,
      restic,
    );
  });

  it('lists folders of a snapshot from one restic ls, shared by concurrent requests', async () => {
    const [root, data] = await Promise.all([
      browser.folder('local', 'ABCDEF12', '/', 0, 10),
      browser.folder('local', 'abcdef12', '/data/', 0, 10),
    ]);
    expect(root.entries.map((e) => e.name)).toEqual(['data']);
    expect(data.total).toBe(6);
    const page = await browser.folder('local', 'abcdef12', '/data', 4, 10);
    expect(page.entries.map((e) => e.name)).toEqual(['f4', 'sub']);
    expect((await browser.folder('local', 'abcdef12', '/data/sub', 0, 10)).entries).toEqual([]);
    expect(lsRuns).toBe(1);
    expect(root.listing.snapshotId).toBe(FULL);
  });

  it('tells a missing snapshot or folder from a file or a bad path', async () => {
    await expect(browser.folder('local', 'deadbeef', '/', 0, 10)).rejects.toThrow(
      SnapshotNotFoundError,
    );
    await expect(browser.folder('local', 'abcdef12', '/nowhere', 0, 10)).rejects.toThrow(
      SnapshotNotFoundError,
    );
    await expect(browser.folder('local', 'abcdef12', '/data/f1', 0, 10)).rejects.toThrow(
      /not a folder/,
    );
    await expect(browser.folder('local', 'abcdef12', '/data/../etc', 0, 10)).rejects.toThrow(
      InvalidPathError,
    );
    await expect(browser.folder('local', 'abcdef12', '/data', 7, 10)).rejects.toThrow(
      /past the end/,
    );
    // a failed load is not kept: the unknown snapshot is asked again
    await expect(browser.folder('local', 'deadbeef', '/', 0, 10)).rejects.toThrow();
    expect(lsRuns).toBe(3);
  });
});
