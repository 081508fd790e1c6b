import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openToAll, runningAsRoot, writeUnprivilegedRestic } from '../support/restic';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { writeRandomFiles } from './support/fixtures';
import { tempDir } from '../support/temp-dir';
import { waitForEnd, waitForJobs } from './support/wait';

const PASSWORD = 'progress-test-password';
const PROGRESS = `progress { percent jobPercent complete filesDone totalFiles bytesDone totalBytes
  secondsRemaining currentFiles step }`;

/** What a job's progress says once it has ended, and how the job-level percent moves. */
describe('job progress', () => {
  const dir = tempDir('e2e-progress');
  let started: StartedDaemon;

  beforeAll(async () => {
    const base = dir.path;
    writeRandomFiles(join(base, 'small'), 3, 4096);
    writeRandomFiles(join(base, 'triple'), 12, 96 * 1024);
    writeRandomFiles(join(base, 'slow'), 8, 512 * 1024);
    mkdirSync(join(base, 'partial', 'closed'), { recursive: true });
    writeFileSync(join(base, 'partial', 'readable.txt'), 'fine\n');
    writeFileSync(join(base, 'partial', 'secret.txt'), 'hidden\n');
    const env: NodeJS.ProcessEnv = {};
    // root reads anything: restic then runs as nobody, so that chmod 000 makes a file unreadable
    if (runningAsRoot()) {
      for (const sub of ['state/cache', 'state/tmp'])
        mkdirSync(join(base, sub), { recursive: true });
      await openToAll(base);
      env.RESTIC_BIN = await writeUnprivilegedRestic(base);
    }
    chmodSync(join(base, 'partial', 'secret.txt'), 0o000);
    const repository = (name: string) => ({ location: join(base, name), password: PASSWORD });
    started = await startDaemon(
      base,
      {
        repositories: { r1: repository('r1'), r2: repository('r2'), r3: repository('r3') },
        backups: {
          small: { paths: [join(base, 'small')], repositories: ['r1'] },
          partial: { paths: [join(base, 'partial')], repositories: ['r1'] },
          triple: { paths: [join(base, 'triple')], repositories: ['r1', 'r2', 'r3'] },
          slow: {
            paths: [join(base, 'slow')],
            repositories: ['r2'],
            limits: { upload: '64K' },
            maxDuration: '4s',
          },
        },
      },
      { env },
    );
    await waitForJobs(started.client, 'INIT', 3);
  }, 60_000);

  afterAll(async () => {
    await started?.stop();
    dir.cleanup();
  });

  const run = async (name: string) =>
    (await started.client.data(`mutation($n: String!) { runBackup(name: $n) { id } }`, { n: name }))
      .runBackup.id as string;
  const summary = async (id: string) =>
    (await started.client.data(`query($id: ID!) { job(id: $id) { steps { summary } } }`, { id }))
      .job.steps[0].summary;

  it('ends a successful backup at 100% with the totals of restic’s summary, then an unchanged one too', async () => {
    for (const round of ['first', 'unchanged']) {
      const job = await waitForEnd(started.client, await run('small'), 60_000, PROGRESS);
      expect({ round, state: job.state }).toEqual({ round, state: 'SUCCEEDED' });
      const totals = await summary(job.id);
      if (round === 'unchanged') expect(totals.filesUnmodified).toBe(3);
      expect(job.progress).toEqual({
        percent: 100,
        jobPercent: 100,
        complete: true,
        filesDone: 3,
        totalFiles: 3,
        bytesDone: totals.totalBytesProcessed,
        totalBytes: totals.totalBytesProcessed,
        secondsRemaining: 0,
        currentFiles: [],
        step: 'repository r1',
      });
      expect(totals.totalBytesProcessed).toBe(3 * 4096);
    }
  });

  it('ends a partial backup (a file restic could not read) at 100% of what it read', async () => {
    const job = await waitForEnd(
      started.client,
      await run('partial'),
      60_000,
      `warnings ${PROGRESS}`,
    );
    expect(job.state).toBe('SUCCEEDED');
    expect(job.warnings.join('\n')).toMatch(/some files could not be read/);
    const totals = await summary(job.id);
    expect(job.progress).toMatchObject({
      percent: 100,
      jobPercent: 100,
      complete: true,
      filesDone: totals.totalFilesProcessed,
      totalFiles: totals.totalFilesProcessed,
      currentFiles: [],
    });
    expect(totals.totalFilesProcessed).toBe(1);
  });

  it('keeps a failed backup’s last real values, marked as not complete, with no current file', async () => {
    const job = await waitForEnd(started.client, await run('slow'), 60_000, PROGRESS);
    expect(job.state).toBe('FAILED');
    expect(job.error.code).toBe('TIMED_OUT');
    expect(job.progress).toMatchObject({
      complete: false,
      currentFiles: [],
      secondsRemaining: null,
    });
    expect(job.progress.percent).toBeLessThan(100);
    expect(job.progress.jobPercent).toBeLessThan(100);
    expect(job.progress.totalBytes).toBe(8 * 512 * 1024);
  });

  it('moves the job-level percent of a three-repository backup forwards only', async () => {
    const subscription = await started.client.subscribe(
      `subscription { jobUpdated(filter: { backup: "triple" }) { id state ${PROGRESS} } }`,
    );
    const id = await run('triple');
    const events = await subscription.until((all) =>
      all.some((e: any) => e.jobUpdated.id === id && e.jobUpdated.state === 'SUCCEEDED'),
    );
    subscription.close();
    const progress = events
      .map((e: any) => e.jobUpdated)
      .filter((j) => j.id === id && j.progress)
      .map((j) => j.progress);
    const jobPercents = progress.map((p) => p.jobPercent);
    for (let i = 1; i < jobPercents.length; i++) {
      expect(jobPercents[i]).toBeGreaterThanOrEqual(jobPercents[i - 1]);
    }
    // every repository's step was seen, and the whole job reached 100 only at the end
    expect(new Set(progress.map((p) => p.step))).toEqual(
      new Set(['repository r1', 'repository r2', 'repository r3']),
    );
    expect(jobPercents.filter((p) => p === 100).length).toBeGreaterThan(0);
    const firstStepEnd = progress.findIndex((p) => p.step === 'repository r2');
    expect(jobPercents[firstStepEnd - 1]).toBeLessThanOrEqual(100 / 3 + 0.01);
    expect(progress[progress.length - 1]).toMatchObject({ complete: true, jobPercent: 100 });
  });
});
