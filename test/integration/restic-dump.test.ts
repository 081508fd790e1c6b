/** ResticService.findNode and dump (what download links serve) against the real restic 0.14+. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ProcessRunner } from '../../src/process/process-runner';
import { ResticError } from '../../src/restic/restic-error';
import { ResticService } from '../../src/repositories/restic.service';
import type { ResticTarget } from '../../src/restic/restic.types';
import {
  SYSTEM_RESTIC,
  TEST_PASSWORD,
  localLockFiles,
  localTarget,
  useResticBin,
} from '../support/restic';
import { TempDirs } from '../support/temp-dir';
import { makeTestConfig } from '../support/test-config';
import { LiveConfig } from '../../src/config/live-config';

/** Collects what dump writes; the output stream is never ended by dump itself. */
function collector() {
  const chunks: Buffer[] = [];
  const output = new PassThrough();
  output.on('data', (c: Buffer) => chunks.push(c));
  return { output, bytes: () => Buffer.concat(chunks) };
}

describe('restic dump through ResticService', () => {
  const temp = new TempDirs();
  let root: string;
  let source: string;
  let target: ResticTarget;
  let service: ResticService;
  let snapshotId: string;
  let restoreBin: () => void;

  beforeAll(async () => {
    restoreBin = useResticBin(SYSTEM_RESTIC);
    root = await temp.make('hen-dump-');
    source = join(root, 'source');
    await mkdir(join(source, 'sub'), { recursive: true });
    await writeFile(join(source, 'a.bin'), randomBytes(200_000));
    await writeFile(join(source, 'sub', 'b.txt'), 'b\n');
    // larger than what the pipe and the streams take in before restic blocks on them
    await writeFile(join(source, 'big.bin'), randomBytes(4 * 1024 * 1024));
    service = new ResticService(
      new LiveConfig(makeTestConfig({ dataDir: join(root, 'data'), secrets: [TEST_PASSWORD] })),
      new ProcessRunner(),
    );
    target = localTarget('dumps', join(root, 'repo'));
    await service.init(target);
    const result = await service.backup(target, {
      paths: [source],
      excludes: [],
      host: 'dump-host',
      tags: [],
    });
    snapshotId = result.snapshotId;
  });
  afterAll(async () => {
    restoreBin();
    await temp.cleanup();
  });

  it('finds a file, a folder, the root, and tells a missing path or snapshot apart', async () => {
    const short = snapshotId.slice(0, 8);
    const file = await service.findNode(target, short, join(source, 'a.bin'));
    expect(file.snapshotId).toBe(snapshotId);
    expect(file.node).toMatchObject({ type: 'file', size: 200_000, path: join(source, 'a.bin') });
    expect((await service.findNode(target, short, source)).node?.type).toBe('dir');
    expect(await service.findNode(target, short, '/')).toEqual({ snapshotId, node: null });
    expect(await service.findNode(target, short, join(source, 'nope'))).toEqual({
      snapshotId,
      node: null,
    });
    // restic 0.14 only says "Ignoring" on stderr and exits 0 for an unknown snapshot
    expect((await service.findNode(target, 'deadbeefdeadbeef', '/')).snapshotId).toBe('');
  });

  it('streams a file as its bytes', async () => {
    const { output, bytes } = collector();
    await service.dump(target, { snapshotId, path: join(source, 'a.bin') }, output);
    expect(bytes().equals(await readFile(join(source, 'a.bin')))).toBe(true);
    expect(output.writableEnded).toBe(false);
  });

  it('streams a folder as a tar or a zip', async () => {
    const tar = collector();
    await service.dump(target, { snapshotId, path: source, archive: 'tar' }, tar.output);
    const archive = join(root, 'out.tar');
    await writeFile(archive, tar.bytes());
    const listing = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).split('\n');
    expect(listing).toEqual(
      expect.arrayContaining([`${source.slice(1)}/a.bin`, `${source.slice(1)}/sub/b.txt`]),
    );
    const zip = collector();
    await service.dump(target, { snapshotId, path: source, archive: 'zip' }, zip.output);
    expect(zip.bytes().subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
  });

  it('rejects a path that is not in the snapshot (restic 0.14 exits 2)', async () => {
    const { output, bytes } = collector();
    const failure = await service
      .dump(target, { snapshotId, path: join(source, 'nope') }, output)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ResticError);
    expect((failure as ResticError).exitCode).toBe(2);
    expect((failure as ResticError).detail).toMatch(/not found in snapshot/);
    expect(bytes()).toHaveLength(0);
  });

  it('stops restic with SIGINT when aborted mid-stream', async () => {
    const controller = new AbortController();
    // never read: restic blocks on a full pipe until the abort (a.bin, 200 KB, could all fit in
    // the pipe's and the streams' buffers, and restic then ended before the abort in a CI run)
    const output = new PassThrough({ highWaterMark: 1024 });
    setTimeout(() => controller.abort(), 500);
    const failure = await service
      .dump(target, { snapshotId, path: join(source, 'big.bin') }, output, {
        signal: controller.signal,
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ResticError);
    expect((failure as ResticError).code).toBe('CANCELED');
    expect(await localLockFiles(join(root, 'repo'))).toEqual([]);
  });
});
