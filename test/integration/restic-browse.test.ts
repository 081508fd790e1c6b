/**
 * ls, diff, stats and restore through ResticService against the real restic (0.14 in CI): the
 * facts the snapshot browser and the restore job rely on.
 */
import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProcessRunner } from '../../src/process/process-runner';
import { ResticError } from '../../src/restic/restic-error';
import { ResticService } from '../../src/repositories/restic.service';
import type { ResticLsNode } from '../../src/restic/restic.types';
import { SYSTEM_RESTIC, TEST_PASSWORD, localTarget, useResticBin } from '../support/restic';
import { TempDirs } from '../support/temp-dir';
import { makeTestConfig } from '../support/test-config';
import { LiveConfig } from '../../src/config/live-config';

describe('restic ls, diff, stats and restore', () => {
  const temp = new TempDirs();
  let root: string;
  let source: string;
  let service: ResticService;
  let restoreBin: () => void;
  const target = () => localTarget('browse', join(root, 'repo'));
  let first: string;
  let second: string;

  beforeAll(async () => {
    restoreBin = useResticBin(SYSTEM_RESTIC);
    root = await temp.make('hen-browse-');
    source = join(root, 'src');
    service = new ResticService(
      new LiveConfig(makeTestConfig({ dataDir: join(root, 'data'), secrets: [TEST_PASSWORD] })),
      new ProcessRunner(),
    );
    await mkdir(join(source, 'docs', 'deep'), { recursive: true });
    await writeFile(join(source, 'docs', 'a.txt'), 'alpha\n');
    await writeFile(join(source, 'docs', 'deep', 'b.txt'), 'bravo bravo\n');
    await writeFile(join(source, 'gone.txt'), 'to be removed\n');
    await symlink('docs/a.txt', join(source, 'link'));
    await service.init(target());
    const req = { paths: [source], excludes: [], host: 'browse-host', tags: [] };
    first = (await service.backup(target(), req)).snapshotId;
    await rm(join(source, 'gone.txt'));
    await writeFile(join(source, 'docs', 'a.txt'), 'alpha, changed\n');
    await writeFile(join(source, 'new.txt'), 'brand new\n');
    second = (await service.backup(target(), req)).snapshotId;
  });
  afterAll(async () => {
    restoreBin();
    await temp.cleanup();
  });

  it('streams ls --json node by node with types, sizes, modes and the full snapshot id', async () => {
    const nodes: ResticLsNode[] = [];
    const fullId = await service.ls(target(), first.slice(0, 8), (node) => nodes.push(node));
    expect(fullId).toBe(first);
    const byPath = new Map(nodes.map((n) => [n.path, n]));
    // restic lists every folder above the backed-up path too
    expect(byPath.get('/')).toBeUndefined();
    expect(byPath.get(source)).toMatchObject({ type: 'dir', size: 0 });
    expect(byPath.get(join(source, 'docs', 'a.txt'))).toMatchObject({
      name: 'a.txt',
      type: 'file',
      size: 6,
      mode: 0o644,
    });
    expect(byPath.get(join(source, 'link'))).toMatchObject({ type: 'symlink' });
    expect(byPath.get(join(source, 'docs'))!.mode).toBe(0o755);
    expect(byPath.get(join(source, 'docs', 'a.txt'))!.mtime).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('gives no id for an unknown snapshot: restic 0.14 ignores it and exits 0', async () => {
    const nodes: ResticLsNode[] = [];
    expect(await service.ls(target(), 'deadbeef', (n) => nodes.push(n))).toBe('');
    expect(nodes).toEqual([]);
  });

  it('reads diff --json: changes one by one and the statistics', async () => {
    const changes: string[] = [];
    const stats = await service.diff(target(), first, second, (c) =>
      changes.push(`${c.modifier} ${c.path}`),
    );
    expect(changes.sort()).toEqual(
      [
        `+ ${join(source, 'new.txt')}`,
        `- ${join(source, 'gone.txt')}`,
        `M ${join(source, 'docs', 'a.txt')}`,
      ].sort(),
    );
    expect(stats.changedFiles).toBe(1);
    expect(stats.added.files).toBe(1);
    expect(stats.removed.files).toBe(1);
    expect(stats.added.bytes).toBeGreaterThan(0);
  });

  it('rejects a diff with an unknown snapshot', async () => {
    await expect(service.diff(target(), first, 'deadbeef', () => undefined)).rejects.toThrow(
      ResticError,
    );
  });

  it('reads stats --json in restore-size mode (nodes, not just files) and raw-data mode', async () => {
    const one = await service.stats(target(), 'restore-size', first);
    // a.txt 6 + b.txt 12 + gone.txt 14
    expect(one.totalSize).toBe(32);
    expect(one.snapshotsCount).toBe(1);
    // the folders above the source, src, docs, deep, three files and the link
    expect(one.totalFileCount).toBe(source.split('/').length - 1 + 2 + 3 + 1);
    const all = await service.stats(target(), 'restore-size');
    expect(all.snapshotsCount).toBe(2);
    const raw = await service.stats(target(), 'raw-data');
    expect(raw.snapshotsCount).toBe(2);
    expect(raw.totalSize).toBeGreaterThan(0);
    expect(raw.totalFileCount).toBe(0);
  });

  it('restores with include, and fails with the errors restic ignored on the way', async () => {
    const into = join(root, 'restored');
    const result = await service.restore(target(), {
      snapshotId: second,
      target: into,
      include: [join(source, 'docs')],
      exclude: [],
    });
    expect(result.summary).toBeNull(); // 0.14 prints no JSON summary
    expect(await readFile(join(into, source, 'docs', 'a.txt'), 'utf8')).toBe('alpha, changed\n');
    expect(await readdir(join(into, source))).toEqual(['docs']);
    expect(await readdir(join(into, source, 'docs', 'deep'))).toEqual(['b.txt']);

    const excluded = join(root, 'excluded');
    await service.restore(target(), {
      snapshotId: second,
      target: excluded,
      include: [],
      exclude: ['b.txt', '*.lnk', join(source, 'new.txt')],
    });
    expect((await readdir(join(excluded, source))).sort()).toEqual(['docs', 'link']);
    expect(await readdir(join(excluded, source, 'docs', 'deep'))).toEqual([]);

    // restic 0.14 takes includes or excludes, not both
    await expect(
      service.restore(target(), {
        snapshotId: second,
        target: join(root, 'both'),
        include: ['a'],
        exclude: ['b'],
      }),
    ).rejects.toThrow(/mutually exclusive/);

    // a file where restic needs a folder: restic goes on, then exits 1
    const blocked = join(root, 'blocked');
    await mkdir(blocked);
    await writeFile(join(blocked, source.split('/')[1]), 'in the way');
    const failure = service.restore(target(), {
      snapshotId: second,
      target: blocked,
      include: [],
      exclude: [],
    });
    await expect(failure).rejects.toThrow(/left \d+ errors: .*not a directory/);
  });
});
