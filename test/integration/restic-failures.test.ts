/**
 * ResticService against the real restic: locks, cancels and unreadable files. Slow backups come
 * from an upload limit, which restic 0.14 applies to the local backend too: a few MB of random
 * data at 200 KiB/s take many seconds, while the tests abort them within about one.
 */
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ProcessRunner } from '../../src/process/process-runner';
import { ResticError } from '../../src/restic/restic-error';
import { ResticService } from '../../src/repositories/restic.service';
import type { BackupRequest, ResticTarget } from '../../src/restic/restic.types';
import { writeDataset, writeRandomFile } from '../support/dataset';
import {
  SYSTEM_RESTIC,
  TEST_PASSWORD,
  localLockFiles,
  localTarget,
  openToAll,
  runningAsRoot,
  spawnRestic,
  useResticBin,
  writeUnprivilegedRestic,
} from '../support/restic';
import { waitFor } from '../support/wait-for';
import { TempDirs } from '../support/temp-dir';
import { makeTestConfig } from '../support/test-config';
import { LiveConfig } from '../../src/config/live-config';

const SLOW = { upload: 200 * 1024 };

/**
 * A lock file's final name. restic writes a file under a temporary name and renames it (atomic
 * files, restic 0.13+): the lock holds only once renamed, and a restic killed before the rename
 * leaves none.
 */
const LOCK_ID = /^[0-9a-f]{64}$/;

describe('ResticService failures with the real restic', () => {
  const temp = new TempDirs();
  let root: string;
  let service: ResticService;
  let target: ResticTarget;
  let slowRequest: BackupRequest;
  let restoreBin: () => void;

  beforeAll(async () => {
    restoreBin = useResticBin(SYSTEM_RESTIC);
    root = await temp.make('hen-restic-failures-');
    service = new ResticService(
      new LiveConfig(makeTestConfig({ dataDir: join(root, 'data'), secrets: [TEST_PASSWORD] })),
      new ProcessRunner(),
    );
    target = localTarget('slow', join(root, 'repo'));
    await service.init(target);
    const big = join(root, 'big');
    await writeRandomFile(join(big, 'random-1.bin'), 3 * 1024 * 1024);
    await writeRandomFile(join(big, 'random-2.bin'), 3 * 1024 * 1024);
    slowRequest = { paths: [big], excludes: [], host: 'hen-host', tags: ['slow'] };
  });
  afterAll(async () => {
    restoreBin();
    await temp.cleanup();
  });

  /** Starts a backup that runs until aborted; resolves once restic holds its lock. */
  async function startSlowBackup() {
    const controller = new AbortController();
    const outcome = service
      .backup(target, slowRequest, { signal: controller.signal, limits: SLOW })
      .then(
        (result) => ({ result, error: undefined }),
        (error: unknown) => ({ result: undefined, error }),
      );
    await waitFor(
      async () => (await localLockFiles(target.location)).some((name) => LOCK_ID.test(name)),
      'a lock',
    );
    return { controller, outcome };
  }

  it('cancels a running backup with SIGINT: CANCELED, no lock and no snapshot left', async () => {
    const progress: number[] = [];
    const controller = new AbortController();
    const outcome = service
      .backup(target, slowRequest, {
        signal: controller.signal,
        limits: SLOW,
        onProgress: (p) => {
          progress.push(p.bytesDone);
          controller.abort();
        },
      })
      .catch((e: unknown) => e);
    const error = await outcome;
    expect(error).toBeInstanceOf(ResticError);
    expect(error).toMatchObject({ code: 'CANCELED' });
    expect(progress.length).toBeGreaterThan(0);
    await expect(service.listLocks(target)).resolves.toEqual([]);
    await expect(service.snapshots(target, { tags: ['slow'] })).resolves.toEqual([]);
  });

  it('reports REPOSITORY_LOCKED while a backup holds the repository', async () => {
    const { controller, outcome } = await startSlowBackup();
    try {
      expect(await service.listLocks(target)).toHaveLength(1);
      // check needs the repository alone; restic 0.14 does not wait for locks
      const error = await service.run(target, ['check']).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'REPOSITORY_LOCKED', repository: 'slow' });
      expect((error as Error).message).toMatch(
        /^repository "slow" is locked by PID \d+ on .+; if that process is gone, unlock the repository$/,
      );
    } finally {
      controller.abort();
    }
    expect((await outcome).error).toMatchObject({ code: 'CANCELED' });
    await expect(service.listLocks(target)).resolves.toEqual([]);
  });

  it('with lockWait, waits for a repository another process holds, then runs', async () => {
    const { controller, outcome } = await startSlowBackup();
    const waits: number[] = [];
    const check = service.run(target, ['check'], {
      lockWait: {
        delaysMs: Array<number>(100).fill(200),
        onWait: ({ attempt }) => {
          waits.push(attempt);
          // the holder goes away while the check waits
          if (attempt === 2) controller.abort();
        },
      },
    });
    await expect(check).resolves.toEqual({ exitCode: 0 });
    expect(waits.slice(0, 2)).toEqual([1, 2]);
    expect((await outcome).error).toMatchObject({ code: 'CANCELED' });
  });

  it('with lockWait, gives up as REPOSITORY_LOCKED once its pauses are spent', async () => {
    const { controller, outcome } = await startSlowBackup();
    try {
      await expect(
        service.run(target, ['check'], { lockWait: { delaysMs: [100, 100] } }),
      ).rejects.toMatchObject({
        code: 'REPOSITORY_LOCKED',
        message: expect.stringContaining('still locked after 3 attempts'),
      });
    } finally {
      controller.abort();
    }
    await outcome;
  });

  it('runs through the stale lock a killed restic left behind, removing it', async () => {
    const child = spawnRestic(
      target,
      ['backup', '--limit-upload', '200', ...slowRequest.paths],
      join(root, 'data', 'cache'),
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await waitFor(
      async () => (await localLockFiles(target.location)).some((name) => LOCK_ID.test(name)),
      'a lock',
    );
    child.kill('SIGKILL');
    await exited;

    const [lock] = await service.listLocks(target);
    expect(lock).toMatch(/^[0-9a-f]{64}$/);
    // the lock's process is dead and on this host: the check unlocks and runs instead of waiting
    await expect(service.run(target, ['check'])).resolves.toMatchObject({ exitCode: 0 });
    await expect(service.listLocks(target)).resolves.toEqual([]);
  });

  it('returns a partial result with warnings when some files cannot be read', async () => {
    const base = await temp.make('hen-restic-partial-');
    const source = join(base, 'source');
    await writeDataset(source, {
      'readable.txt': 'fine\n',
      'secret.txt': 'hidden\n',
      'closed/inside.txt': 'hidden too\n',
    });
    const repo = localTarget('partial', join(base, 'repo'));
    const dataDir = join(base, 'data');
    let restore = () => {};
    if (runningAsRoot()) {
      // root reads anything; run restic as nobody, who needs access to everything but the secrets
      await service.init(repo);
      await mkdir(join(dataDir, 'cache'), { recursive: true });
      await mkdir(join(dataDir, 'tmp'), { recursive: true });
      await openToAll(base);
      restore = useResticBin(await writeUnprivilegedRestic(base));
    } else {
      await service.init(repo);
    }
    await chmod(join(source, 'secret.txt'), 0o000);
    await chmod(join(source, 'closed'), 0o000);
    const partialService = new ResticService(
      new LiveConfig(makeTestConfig({ dataDir, secrets: [TEST_PASSWORD] })),
      new ProcessRunner(),
    );
    try {
      const result = await partialService.backup(repo, {
        paths: [source],
        excludes: [],
        host: 'hen-host',
        tags: [],
      });
      expect(result.partial).toBe(true);
      expect(result.snapshotId).toMatch(/^[0-9a-f]{64}$/);
      expect(result.filesNew).toBe(1);
      expect(result.warnings).toEqual(
        expect.arrayContaining([
          `${join(source, 'secret.txt')}: open: permission denied`,
          expect.stringContaining(join(source, 'closed')),
        ]),
      );
      const snapshots = await partialService.snapshots(repo);
      expect(snapshots.map((s) => s.id)).toEqual([result.snapshotId]);
    } finally {
      restore();
    }
  });
});
