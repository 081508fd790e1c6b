import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PubSub } from 'graphql-subscriptions';
import { FakeClock } from '../../test/support/fake-clock';
import { SecretScrubber } from '../common/secret-scrubber';
import type { HenConfig } from '../config/config.types';
import { LiveConfig } from '../config/live-config';
import type { JobContext } from './job-context';
import { JobEvents } from './job-events';
import { JobHandlers } from './job-handlers';
import { JobLogService } from './job-log.service';
import { repositoryLock } from './job-locks';
import { JobRunner } from './job-runner.service';
import { JobStore } from './job-store';
import type { Job } from './job.types';
import { StateDatabase } from '../state/state-database';
import { StateDiskFullError, isStateDiskFull } from '../state/state-disk-full';

/**
 * The state database's disk filling up while jobs run. The disk is faked (SQLite answering
 * SQLITE_FULL to every write while `full` is set); StateDatabase, JobStore, JobLogService and
 * JobRunner are the real ones. test/e2e/disk-full.test.ts fills a real disk.
 */
describe('a full disk under the state database', () => {
  let dir: string;
  let database: StateDatabase;
  let runner: JobRunner;
  let store: JobStore;
  let clock: FakeClock;
  let full: boolean;
  let errors: unknown[];
  let infos: unknown[];
  let updated: Job[];
  let finished: Job[];
  let ran: number[];
  const releases = new Map<number, () => void>();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-state-full-'));
    const config = {
      dataDir: dir,
      jobs: { concurrency: 2, maxDurationMs: 600_000, history: { keepDays: 1, keepCount: 1 } },
    } as unknown as HenConfig;
    errors = [];
    infos = [];
    jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation((message: unknown) => void errors.push(message));
    jest
      .spyOn(Logger.prototype, 'log')
      .mockImplementation((message: unknown) => void infos.push(message));
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    database = new StateDatabase(config);
    full = false;
    const write = database.write.bind(database);
    jest.spyOn(database, 'write').mockImplementation(<T>(change: () => T): T =>
      write(
        full
          ? () => {
              throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
            }
          : change,
      ),
    );
    store = new JobStore(database);
    const events = new JobEvents(new PubSub());
    updated = [];
    finished = [];
    jest
      .spyOn(events, 'updated')
      .mockImplementation((job) => void updated.push(structuredClone(job)));
    jest
      .spyOn(events, 'finished')
      .mockImplementation((job) => void finished.push(structuredClone(job)));
    clock = new FakeClock();
    const logs = new JobLogService(store, events, new SecretScrubber([]), clock);
    ran = [];
    const handlers = new JobHandlers();
    handlers.register({
      operation: 'check',
      locks: (job) => [repositoryLock(job.repository!, 'exclusive')],
      run: async (context: JobContext) => {
        ran.push(context.job.id);
        const step = context.step('restic check', 'restic', context.job.repository);
        await new Promise<void>((resolve) => releases.set(context.job.id, resolve));
        step.log('info', 'checked');
        context.warn('a warning while the disk is full');
        step.succeed();
      },
    });
    runner = new JobRunner(
      new LiveConfig(config),
      store,
      handlers,
      events,
      logs,
      clock,
      new SecretScrubber([]),
    );
    runner.start();
  });

  afterEach(async () => {
    for (const release of releases.values()) release();
    await runner.beforeApplicationShutdown();
    database.close();
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  const check = (repository: string) =>
    runner.enqueue({ operation: 'check', repository, trigger: 'api', priority: 0 });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const noSpaceLines = () =>
    errors.filter((e) => /^state database: no space left on /.test((e as { msg: string }).msg));

  it('keeps running, announces nothing it could not record, and catches up once space is back', async () => {
    const first = check('r');
    const waiting = check('r'); // behind the first one's exclusive lock
    await settle();
    expect(ran).toEqual([first.id]);

    full = true;
    updated.length = 0;
    releases.get(first.id)!();
    await runner.idle();

    // the end is not recorded, so it is not announced, and the next job does not start
    expect(store.get(first.id)?.state).toBe('running');
    expect(finished).toEqual([]);
    expect(updated).toEqual([]);
    expect(ran).toEqual([first.id]);
    expect(runner.queuedJobs().map((j) => j.id)).toEqual([waiting.id]);
    expect(store.get(waiting.id)?.state).toBe('queued');
    // a new request cannot be recorded either: the caller hears why
    expect(() => check('s')).toThrow(StateDiskFullError);
    expect(() => check('s')).toThrow(expect.objectContaining({ code: 'DISK_FULL' }));
    // said once, however many writes failed
    expect(noSpaceLines()).toEqual([
      expect.objectContaining({
        msg: `state database: no space left on ${dir}; job states and logs cannot be recorded until space is freed`,
      }),
    ]);
    expect(database.noSpaceSince).not.toBeNull();

    clock.advance(10_000); // still full: the retry fails quietly and tries again later
    expect(finished).toEqual([]);
    expect(noSpaceLines()).toHaveLength(1);

    full = false;
    clock.advance(10_000);
    await settle();
    expect(store.get(first.id)).toMatchObject({ state: 'succeeded', error: null });
    expect(finished.map((j) => [j.id, j.state])).toEqual([[first.id, 'succeeded']]);
    expect(updated.find((j) => j.id === first.id)?.state).toBe('succeeded');
    expect(ran).toEqual([first.id, waiting.id]);
    expect(store.get(waiting.id)?.state).toBe('running');
    expect(database.noSpaceSince).toBeNull();
    expect(infos).toContainEqual(
      expect.objectContaining({ msg: expect.stringMatching(/^state database: writes work again/) }),
    );
  });

  it('keeps the log lines it could store, and echoes the others to stdout only', async () => {
    const job = check('r');
    await settle();
    full = true;
    releases.get(job.id)!();
    await runner.idle();
    full = false;
    clock.advance(10_000);
    const messages = store.logs(job.id, { size: 100, fromEnd: false }).items.map((e) => e.message);
    expect(messages).toContain('started on repository r');
    expect(messages).not.toContain('a warning while the disk is full');
    expect(store.get(job.id)?.warnings).toEqual(['a warning while the disk is full']);
  });
});

describe('isStateDiskFull', () => {
  it('takes SQLITE_FULL for a full disk, and not other errors', () => {
    expect(isStateDiskFull({ code: 'SQLITE_FULL' }, tmpdir())).toBe(true);
    expect(isStateDiskFull({ code: 'SQLITE_BUSY' }, tmpdir())).toBe(false);
    expect(isStateDiskFull(new Error('x'), tmpdir())).toBe(false);
  });

  it('takes an I/O error for a full disk only when the disk is nearly full', () => {
    // the test machine's temp folder has more than 1 MiB free
    expect(isStateDiskFull({ code: 'SQLITE_IOERR_WRITE' }, tmpdir())).toBe(false);
  });
});
