import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeJob, fakeJobContext } from '../../test/support/fake-job-context';
import { FakeClock } from '../../test/support/fake-clock';
import type { HenConfig } from '../config/config.types';
import type { ResticService } from '../repositories/restic.service';
import type { RestoreOptions, RestoreResult } from '../restic/restic.types';
import type { RepositoriesService } from '../repositories/repositories.service';
import { RestoreJobHandler } from './restore-job.handler';
import { LiveConfig } from '../config/live-config';

/** Resolves once `check` holds, looking again after each turn of the event loop. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !check(); i++) await new Promise((r) => setImmediate(r));
  if (!check()) throw new Error('condition never held');
}

describe('RestoreJobHandler', () => {
  let target: string;
  let clock: FakeClock;
  let finish: ((result: RestoreResult) => void) | undefined;
  let restoreOptions: RestoreOptions;
  let handler: RestoreJobHandler;

  beforeEach(async () => {
    target = await mkdtemp(join(tmpdir(), 'hen-restore-unit-'));
    clock = new FakeClock();
    finish = undefined;
    const restic = {
      stats: () => Promise.resolve({ totalSize: 1000, totalFileCount: 4, snapshotsCount: 1 }),
      restore: (_t: unknown, _r: unknown, opts: RestoreOptions) => {
        restoreOptions = opts;
        return new Promise<RestoreResult>((resolve) => (finish = resolve));
      },
    } as unknown as ResticService;
    const repositories = {
      get: () => ({ limits: {} }),
      target: () => ({ name: 'local', location: '/repo', env: {} }),
    } as unknown as RepositoriesService;
    handler = new RestoreJobHandler(
      new LiveConfig({ limits: {} } as HenConfig),
      repositories,
      restic,
      clock,
    );
  });
  afterEach(() => rm(target, { recursive: true, force: true }));

  const jobFor = (into: string) =>
    fakeJob({
      operation: 'restore',
      backup: null,
      repository: 'local',
      params: { snapshotId: 'abcdef12', target: into, include: [], exclude: [] },
    });

  it('shares the repository and holds the target alone', () => {
    expect(handler.locks(jobFor('/srv/r'))).toEqual([
      { resource: 'repository:local', mode: 'shared' },
      { resource: 'restore-target:/srv/r', mode: 'exclusive' },
    ]);
  });

  it('estimates progress from the bytes written under the target, then records what it restored', async () => {
    // a file there before the restore does not count
    await writeFile(join(target, 'already-there'), Buffer.alloc(300));
    const { context, job, logs } = fakeJobContext(jobFor(target));
    const running = handler.run(context);
    await until(() => finish !== undefined && clock.pending > 0);

    await mkdir(join(target, 'data'));
    await writeFile(join(target, 'data', 'one'), Buffer.alloc(250));
    clock.advance(1000);
    await until(() => job.progress !== null);
    expect(job.progress).toMatchObject({ percent: 25, bytesDone: 250, totalBytes: 1000 });
    expect(job.progress!.filesDone).toBe(2); // the folder and the file

    await writeFile(join(target, 'data', 'two'), Buffer.alloc(250));
    clock.advance(1000);
    await until(() => job.progress!.bytesDone === 500);
    expect(job.progress!.percent).toBe(50);
    expect(job.progress!.secondsRemaining).toBe(2);

    finish!({ summary: null });
    await running;
    expect(clock.pending).toBe(0);
    expect(job.progress).toMatchObject({ percent: 100, bytesDone: 500, filesDone: 2 });
    expect(job.steps[0]).toMatchObject({
      state: 'succeeded',
      summary: { filesRestored: 2, bytesRestored: 500 },
    });
    expect(logs.map((l) => l.message)).toContain(`restored 2 files (500 bytes) into ${target}`);
  });

  it("uses restic's JSON status and summary when restic prints them (0.16 and newer)", async () => {
    const { context, job } = fakeJobContext(jobFor(target));
    const running = handler.run(context);
    await until(() => finish !== undefined);
    restoreOptions.onProgress!({
      percentDone: 0.4,
      filesRestored: 4,
      totalFiles: 10,
      bytesRestored: 400,
      totalBytes: 1000,
      secondsElapsed: 1,
    });
    expect(job.progress).toMatchObject({ percent: 40, filesDone: 4, totalFiles: 10 });
    // polling has stopped: a walk would now report 0 bytes
    clock.advance(5000);
    await new Promise((r) => setImmediate(r));
    expect(job.progress!.percent).toBe(40);
    finish!({
      summary: {
        percentDone: 1,
        filesRestored: 10,
        totalFiles: 10,
        bytesRestored: 1000,
        totalBytes: 1000,
        secondsElapsed: 2,
      },
    });
    await running;
    expect(job.steps[0].summary).toEqual({ filesRestored: 10, bytesRestored: 1000 });
  });
});
