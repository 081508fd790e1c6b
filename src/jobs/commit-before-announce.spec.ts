import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PubSub } from 'graphql-subscriptions';
import { FakeClock } from '../../test/support/fake-clock';
import { SecretScrubber } from '../common/secret-scrubber';
import type { HenConfig } from '../config/config.types';
import type { JobContext } from './job-context';
import { JobEvents } from './job-events';
import type { JobHandler } from './job-handler';
import { JobHandlers } from './job-handlers';
import { JobLogService } from './job-log.service';
import { repositoryLock } from './job-locks';
import { JobRecovery } from './job-recovery';
import { JobRunner } from './job-runner.service';
import { JobStore } from './job-store';
import { StateDatabase } from '../state/state-database';
import { LiveConfig } from '../config/live-config';

/**
 * Every state change is committed to the state database before anyone hears of it: a client that
 * reacts to an event by reading the job (or a crash right after the event) never sees older state.
 */
describe('commit before announce', () => {
  let dir: string;
  let database: StateDatabase;
  let runner: JobRunner | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-commit-'));
  });
  afterEach(async () => {
    await runner?.beforeApplicationShutdown();
    database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores each job change and log line before publishing it, through a whole job life', async () => {
    const clock = new FakeClock();
    const config = {
      dataDir: dir,
      jobs: { concurrency: 2, maxDurationMs: 60_000, history: { keepDays: 1, keepCount: 1 } },
    } as unknown as HenConfig;
    database = new StateDatabase(config);
    const store = new JobStore(database);
    const events = new JobEvents(new PubSub());
    const announced: { kind: string; state: string }[] = [];
    jest.spyOn(events, 'updated').mockImplementation((job) => {
      expect(store.get(job.id)).toEqual(structuredClone(job));
      announced.push({ kind: 'updated', state: job.state });
    });
    jest.spyOn(events, 'finished').mockImplementation((job) => {
      expect(store.get(job.id)).toEqual(job);
      announced.push({ kind: 'finished', state: job.state });
    });
    jest.spyOn(events, 'log').mockImplementation((entry) => {
      expect(
        store.logs(entry.jobId, { size: 1, fromEnd: false, after: entry.seq - 1 }).items,
      ).toEqual([entry]);
      announced.push({ kind: 'log', state: entry.message });
    });
    const logs = new JobLogService(store, events, new SecretScrubber([]), clock);
    for (const method of ['log', 'warn', 'error'] as const) {
      jest
        .spyOn((logs as unknown as Record<string, Record<string, () => void>>).logger, method)
        .mockImplementation(() => undefined);
    }
    const releases = new Map<number, () => void>();
    const handler: JobHandler = {
      operation: 'check',
      locks: (job) => [repositoryLock(job.repository!, 'exclusive')],
      run: async (context: JobContext) => {
        const step = context.step('restic check', 'restic', context.job.repository);
        step.log('info', 'checking');
        context.progress({
          percent: 50,
          filesDone: 1,
          totalFiles: 2,
          bytesDone: 1,
          totalBytes: 2,
          secondsElapsed: 1,
          secondsRemaining: 1,
          currentFiles: [],
          step: 'restic check',
        });
        context.warn('something odd');
        await new Promise<void>((resolve, reject) => {
          releases.set(context.job.id, resolve);
          context.signal.addEventListener('abort', () => reject(new Error('aborted')));
        });
        step.succeed({ summary: { errors: 0 } });
      },
    };
    const handlers = new JobHandlers();
    handlers.register(handler);
    handlers.register({
      operation: 'unlock',
      locks: (job) => [repositoryLock(job.repository!, 'exclusive')],
      run: async (context) => {
        context.step('restic unlock', 'restic', context.job.repository).succeed();
        await Promise.resolve();
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

    const first = runner.enqueue({
      operation: 'check',
      repository: 'r',
      trigger: 'api',
      priority: 0,
    });
    const second = runner.enqueue({
      operation: 'check',
      repository: 'r',
      trigger: 'api',
      priority: 0,
    });
    const third = runner.enqueue({
      operation: 'check',
      repository: 'other',
      trigger: 'api',
      priority: 0,
    });
    runner.enqueue({ operation: 'check', repository: 'r', trigger: 'api', priority: 50 });
    runner.cancel(second.id);
    runner.cancel(third.id);
    await new Promise((r) => setImmediate(r));
    releases.get(first.id)!();
    await runner.idle();

    // Restart: the recovery's changes obey the same rule.
    const interrupted = store.create(
      { operation: 'check', repository: 'x', trigger: 'api', priority: 0 },
      new Date(clock.now()).toISOString(),
    );
    interrupted.state = 'running';
    store.save(interrupted);
    new JobRecovery(store, runner, handlers, logs, events, clock).recover();
    await runner.idle();
    expect(store.get(interrupted.id)?.state).toBe('interrupted');

    expect(store.get(first.id)?.state).toBe('succeeded');
    expect(announced.filter((a) => a.kind === 'updated').length).toBeGreaterThan(5);
    expect(announced.filter((a) => a.kind === 'finished').map((a) => a.state)).toEqual(
      expect.arrayContaining(['succeeded', 'canceled']),
    );
    expect(announced.some((a) => a.kind === 'log')).toBe(true);
  });
});
