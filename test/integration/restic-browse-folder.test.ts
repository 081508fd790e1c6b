/**
 * The snapshot browser against the real restic (0.14 in CI): a folder answered from its own
 * `restic ls <snapshot> <folder>`, before the whole listing exists, is the same page as the one
 * from the whole listing.
 */
import { SnapshotRefs } from '../../src/snapshots/snapshot-refs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LiveConfig } from '../../src/config/live-config';
import type { RepositoriesService } from '../../src/repositories/repositories.service';
import { SnapshotBrowserService } from '../../src/snapshots/snapshot-browser.service';
import type { SnapshotsService } from '../../src/snapshots/snapshots.service';
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
    // runs that lost their race (the whole listing of `whole`, folder runs) end on their own
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    restoreBin();
    await temp.cleanup();
  });

  it('gives the same pages and refusals as the whole listing, which it does not wait for', async () => {
    // the whole listing never finishes here: every answer comes from a folder run
    const stalled = Object.create(restic) as ResticService;
    let wholeRuns = 0;
    stalled.ls = (t, id, onNode, opts = {}) => {
      if (opts.folder !== undefined) return restic.ls(t, id, onNode, opts);
      wholeRuns++;
      return new Promise<string>(() => undefined);
    };
    const early = browser(stalled);
    const whole = browser(restic);
    await whole.listing('browse', snapshotId);

    const outcome = (page: Promise<unknown>) =>
      page.catch((error: Error) => `${error.name}: ${error.message}`);
    const folders = ['/', root, source, join(source, 'docs'), join(source, 'docs', 'deep')];
    for (const folder of [...folders, join(source, 'empty')]) {
      for (const [start, size] of [
        [0, 100],
        [1, 2],
      ]) {
        const id = snapshotId.slice(0, 8);
        const fast = await outcome(early.folder('browse', id, folder, start, size));
        expect(fast).toEqual(await outcome(whole.folder('browse', id, folder, start, size)));
      }
    }
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

    for (const [folder, id] of [
      [join(source, 'nowhere'), snapshotId],
      [join(source, 'top.txt'), snapshotId],
      [join(source, 'link'), snapshotId],
      ['/', 'deadbeef'],
    ]) {
      const fast = outcome(early.folder('browse', id, folder, 0, 10));
      const full = outcome(whole.folder('browse', id, folder, 0, 10));
      expect(await fast).toEqual(await full);
      expect(await fast).toMatch(/Error: /);
    }
    // one per snapshot id as given (the prefix, the full id, deadbeef), shared by every request
    expect(wholeRuns).toBe(3);
  });
});
