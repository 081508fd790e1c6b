/**
 * The snapshot browser against the real restic (0.14 in CI): a folder of a snapshot that is not
 * indexed, answered from its own `restic ls <snapshot> <folder>`, page by page, is what the whole
 * `restic ls` of the snapshot says that folder holds.
 */
import { SnapshotRefs } from '../../src/snapshots/snapshot-refs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LiveConfig } from '../../src/config/live-config';
import type { RepositoriesService } from '../../src/repositories/repositories.service';
import { SnapshotBrowserService } from '../../src/snapshots/snapshot-browser.service';
import type { SnapshotsService } from '../../src/snapshots/snapshots.service';
import type { ResticLsNode } from '../../src/restic/restic.types';
import { ProcessRunner } from '../../src/process/process-runner';
import { ResticService } from '../../src/repositories/restic.service';
import { SYSTEM_RESTIC, TEST_PASSWORD, localTarget, useResticBin } from '../support/restic';
import { TempDirs } from '../support/temp-dir';
import { makeTestConfig } from '../support/test-config';

describe('snapshot browser folders from restic ls <snapshot> <folder>', () => {
  const temp = new TempDirs();
  let root: string;
  let source: string;
  let restic: ResticService;
  let snapshotId: string;
  let restoreBin: () => void;
  const target = () => localTarget('browse', join(root, 'repo'));
  const browser = (service: ResticService) =>
    new SnapshotBrowserService(
      { target } as unknown as RepositoriesService,
      {} as SnapshotsService,
      service,
      new SnapshotRefs({} as SnapshotsService),
    );

  beforeAll(async () => {
    restoreBin = useResticBin(SYSTEM_RESTIC);
    root = await temp.make('hen-browse-folder-');
    source = join(root, 'src');
    restic = new ResticService(
      new LiveConfig(makeTestConfig({ dataDir: join(root, 'data'), secrets: [TEST_PASSWORD] })),
      new ProcessRunner(),
    );
    await mkdir(join(source, 'docs', 'deep'), { recursive: true });
    await mkdir(join(source, 'empty'));
    for (const name of ['b.txt', 'a.txt', 'Z.txt', 'é.txt', '10.txt', '9.txt']) {
      await writeFile(join(source, 'docs', name), name.repeat(3));
    }
    await writeFile(join(source, 'docs', 'deep', 'c.txt'), 'charlie\n');
    await symlink('docs/a.txt', join(source, 'link'));
    await writeFile(join(source, 'top.txt'), 'top\n');
    await restic.init(target());
    const req = { paths: [source], excludes: [], host: 'browse-host', tags: [] };
    snapshotId = (await restic.backup(target(), req)).snapshotId;
  });
  afterAll(async () => {
    restoreBin();
    await temp.cleanup();
  });

  it('gives each folder, page by page, as the whole restic ls says, with one run per folder', async () => {
    const whole: ResticLsNode[] = [];
    await restic.ls(target(), snapshotId, (node) => whole.push(node));
    const counted = Object.create(restic) as ResticService;
    const runs: (string | undefined)[] = [];
    counted.ls = (t, id, onNode, opts = {}) => {
      runs.push(opts.folder);
      return restic.ls(t, id, onNode, opts);
    };
    const early = browser(counted);

    const parent = (path: string) => path.slice(0, path.lastIndexOf('/')) || '/';
    const folders = ['/', root, source, join(source, 'docs'), join(source, 'docs', 'deep')];
    for (const folder of [...folders, join(source, 'empty')]) {
      const expected = whole
        .filter((n) => parent(n.path) === folder)
        .map((n) => [n.name, n.type, n.size, n.mtime, n.mode])
        .sort((a, b) => (a[0] < b[0] ? -1 : 1));
      const id = snapshotId.slice(0, 8);
      const paged: unknown[] = [];
      for (let start = 0; start === 0 || start < expected.length; start += 2) {
        const page = await early.folder('browse', id, folder, start, 2);
        expect([folder, page.total, page.snapshotId]).toEqual([
          folder,
          expected.length,
          snapshotId,
        ]);
        paged.push(...page.entries.map((e) => [e.name, e.type, e.size, e.mtime, e.mode]));
      }
      expect([folder, paged]).toEqual([folder, expected]);
    }
    // one run per folder: the next pages came from the kept children
    expect(runs).toEqual([...folders, join(source, 'empty')]);
    const docs = await early.folder('browse', snapshotId, `${source}/docs/`, 0, 100);
    expect(docs.entries.map((e) => [e.name, e.type])).toEqual([
      ['10.txt', 'file'],
      ['9.txt', 'file'],
      ['Z.txt', 'file'],
      ['a.txt', 'file'],
      ['b.txt', 'file'],
      ['deep', 'dir'],
      ['é.txt', 'file'],
    ]);
    expect(docs.entries[3]).toMatchObject({ size: 15, mode: 0o644 });
    expect(docs.snapshotId).toBe(snapshotId);

    const outcome = (page: Promise<unknown>) =>
      page.catch((error: Error) => `${error.name}: ${error.message}`);
    expect(
      await Promise.all([
        outcome(early.folder('browse', snapshotId, join(source, 'nowhere'), 0, 10)),
        outcome(early.folder('browse', snapshotId, join(source, 'top.txt'), 0, 10)),
        outcome(early.folder('browse', snapshotId, join(source, 'link'), 0, 10)),
        outcome(early.folder('browse', 'deadbeef', '/', 0, 10)),
      ]),
    ).toEqual([
      `Error: no folder "${join(source, 'nowhere')}" in snapshot ${snapshotId}`,
      `InvalidPathError: "${join(source, 'top.txt')}" is not a folder`,
      `InvalidPathError: "${join(source, 'link')}" is not a folder`,
      'Error: no snapshot "deadbeef" in repository "browse" (or the prefix names several)',
    ]);
  });
});
