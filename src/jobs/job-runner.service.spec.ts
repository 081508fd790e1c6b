import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PubSub } from 'graphql-subscriptions';
import type { HenConfig } from '../config/config.types';
import { PRIORITY } from '../config/priority';
import { FakeClock } from '../../test/support/fake-clock';
import { SecretScrubber } from '../common/secret-scrubber';
import type { JobContext } from './job-context';
import { JobEvents } from './job-events';
import type { JobHandler } from './job-handler';
import { JobHandlers } from './job-handlers';
import { JobLogService } from './job-log.service';
import { backupLock, repositoryLock } from './job-locks';
import { JobRecovery } from './job-recovery';
import { JobConflictError, JobRunner } from './job-runner.service';
import { JobStore } from './job-store';
import type { Job, JobRequest } from './job.types';
import { StateDatabase } from '../state/state-database';
import { LiveConfig } from '../config/live-config';

/** A handler whose runs end only when the test says so. */
class ControlledHandler implements JobHandler {
  readonly runs = new Map<
    number,
    { resolve: () => void; reject: (e: Error) => void; context: JobContext }
  >();
  readonly started: number[] = [];

  constructor(
    readonly operation: 'backup' | 'prune' | 'unlock' | 'init',
    private readonly lockOf: (job: Job) => ReturnType<JobHandler['locks']>,
  ) {}

  locks(job: Job) {
    return this.lockOf(job);
  }

  run(context: JobContext): Promise<void> {
    this.started.push(context.job.id);
    return new Promise<void>((resolve, reject) => {
      this.runs.set(context.job.id, { resolve, reject, context });
      context.signal.addEventListener('abort', () => reject(new Error('aborted')));
    });
  }

  finish(id: number): void {
    this.runs.get(id)!.resolve();
  }
}

const flush = () => new Promise((r) => setImmediate(r));

describe('JobRunner', () => {
  let dir: string;
  let clock: FakeClock;
  let store: JobStore;
  let database: StateDatabase;
  let events: JobEvents;
  let runner: JobRunner;
  let handlers: JobHandlers;
  let backups: ControlledHandler;
  let prunes: ControlledHandler;
  let unlocks: ControlledHandler;
  let published: Job[];

  let live: LiveConfig;
  const config = (
    concurrency: number,
    backups: string[] = ['a', 'b', 'c', 'now', 'idle'],
    repositories: string[] = ['r1', 'x', 'y', 'z'],
    idleDelayMs = 0,
  ): HenConfig =>
    ({
      dataDir: dir,
      secrets: ['hunter2-secret'],
      jobs: {
        concurrency,
        maxDurationMs: 60_000,
        idleDelayMs,
        history: { keepDays: 90, keepCount: 1000 },
      },
      backups: Object.fromEntries(backups.map((name) => [name, { name }])),
      repositories: Object.fromEntries(repositories.map((name) => [name, { name }])),
    }) as unknown as HenConfig;

  function build(concurrency = 2, idleDelayMs = 0) {
    const cfg = config(concurrency, undefined, undefined, idleDelayMs);
    database = new StateDatabase(cfg);
    store = new JobStore(database);
    const pubSub = new PubSub();
    events = new JobEvents(pubSub);
    published = [];
    jest.spyOn(events, 'updated').mockImplementation((job) => {
      // What was announced must already be what the store holds.
      expect(store.get(job.id)?.state).toBe(job.state);
      published.push(structuredClone(job));
    });
    const scrubber = new SecretScrubber(cfg.secrets);
    const logs = new JobLogService(store, events, scrubber, clock);
    handlers = new JobHandlers();
    backups = new ControlledHandler('backup', (job) => [
      backupLock(job.backup!),
      ...((job.params.repositories as string[]) ?? ['r1']).map((r) => repositoryLock(r, 'shared')),
    ]);
    prunes = new ControlledHandler('prune', (job) => [
      repositoryLock(job.repository!, 'exclusive'),
    ]);
    unlocks = new ControlledHandler('unlock', (job) => [
      repositoryLock(job.repository!, 'exclusive'),
    ]);
    handlers.register(backups);
    handlers.register(prunes);
    handlers.register(unlocks);
    live = new LiveConfig(cfg);
    runner = new JobRunner(live, store, handlers, events, logs, clock, scrubber);
    return { logs };
  }

  const backup = (
    name: string,
    priority: number = PRIORITY.normal,
    repositories = ['r1'],
  ): JobRequest => ({
    operation: 'backup',
    backup: name,
    trigger: 'api',
    priority,
    params: { repositories },
  });
  const prune = (repository: string, priority: number = PRIORITY.normal): JobRequest => ({
    operation: 'prune',
    repository,
    trigger: 'api',
    priority,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-runner-'));
    clock = new FakeClock();
  });
  afterEach(async () => {
    await runner?.beforeApplicationShutdown();
    database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs higher priorities first and equal priorities first in, first out', async () => {
    build(1);
    const blocker = runner.enqueue(backup('blocker'));
    runner.start();
    const a = runner.enqueue(backup('a', PRIORITY.normal, ['x']));
    const b = runner.enqueue(backup('b', PRIORITY.normal, ['x']));
    const c = runner.enqueue(backup('c', PRIORITY.superior, ['x']));
    const d = runner.enqueue(backup('d', 5, ['x']));
    const e = runner.enqueue(backup('e', PRIORITY.next, ['x']));
    for (const id of [blocker.id, e.id, c.id, d.id, a.id, b.id]) {
      await flush();
      expect(backups.started.at(-1)).toBe(id);
      backups.finish(id);
      await flush();
    }
    expect(backups.started).toEqual([blocker.id, e.id, c.id, d.id, a.id, b.id]);
  });

  it('does not queue a request identical to a waiting job, but raises its priority', () => {
    build(1);
    const first = runner.enqueue(backup('pics'));
    const second = runner.enqueue(backup('pics', PRIORITY.superior));
    expect(second.id).toBe(first.id);
    expect(second.priority).toBe(PRIORITY.superior);
    const lower = runner.enqueue(backup('pics', PRIORITY.inferior));
    expect(lower.priority).toBe(PRIORITY.superior);
    expect(runner.counts().queued).toBe(1);
    expect(store.get(first.id)?.priority).toBe(PRIORITY.superior);
  });

  it('queues a second run of a definition that is already running, and runs it after', async () => {
    build(2);
    runner.start();
    const first = runner.enqueue(backup('pics'));
    await flush();
    const second = runner.enqueue(backup('pics'));
    expect(second.id).not.toBe(first.id);
    await flush();
    expect(backups.started).toEqual([first.id]);
    backups.finish(first.id);
    await flush();
    await flush();
    expect(backups.started).toEqual([first.id, second.id]);
  });

  it('runs backups sharing a repository together but gives prune the repository alone', async () => {
    build(3);
    runner.start();
    const a = runner.enqueue(backup('a', PRIORITY.normal, ['shared']));
    const b = runner.enqueue(backup('b', PRIORITY.normal, ['shared']));
    const p = runner.enqueue(prune('shared'));
    await flush();
    expect(backups.started).toEqual([a.id, b.id]);
    expect(prunes.started).toEqual([]);
    backups.finish(a.id);
    await flush();
    expect(prunes.started).toEqual([]);
    backups.finish(b.id);
    await flush();
    await flush();
    expect(prunes.started).toEqual([p.id]);
  });

  it('keeps a lower-priority backup from overtaking a waiting prune of the same repository', async () => {
    build(3);
    runner.start();
    const a = runner.enqueue(backup('a', PRIORITY.normal, ['repo']));
    await flush();
    const p = runner.enqueue(prune('repo', PRIORITY.superior));
    const late = runner.enqueue(backup('late', PRIORITY.normal, ['repo']));
    const other = runner.enqueue(backup('other', PRIORITY.normal, ['elsewhere']));
    await flush();
    expect(backups.started).toEqual([a.id, other.id]);
    backups.finish(a.id);
    await flush();
    await flush();
    expect(prunes.started).toEqual([p.id]);
    expect(backups.started).not.toContain(late.id);
    prunes.finish(p.id);
    await flush();
    await flush();
    expect(backups.started).toContain(late.id);
  });

  it('honours the concurrency limit except for immediate jobs', async () => {
    build(1);
    runner.start();
    const a = runner.enqueue(backup('a', PRIORITY.normal, ['x']));
    const b = runner.enqueue(backup('b', PRIORITY.superior, ['y']));
    await flush();
    expect(backups.started).toEqual([a.id]);
    const now = runner.enqueue(backup('now', PRIORITY.immediate, ['z']));
    await flush();
    expect(backups.started).toEqual([a.id, now.id]);
    expect(runner.counts()).toEqual({ queued: 1, running: 2 });
    expect(b.state).toBe('queued');
  });

  it('starts on-idle jobs only when nothing else runs or waits', async () => {
    build(2);
    runner.start();
    const a = runner.enqueue(backup('a', PRIORITY.normal, ['x']));
    const idle = runner.enqueue(backup('idle', PRIORITY['on-idle'], ['y']));
    await flush();
    expect(backups.started).toEqual([a.id]);
    backups.finish(a.id);
    await flush();
    await flush();
    expect(backups.started).toEqual([a.id, idle.id]);
  });

  it('starts an on-idle job only after jobs.idleDelay without other work, which takes the slot first', async () => {
    build(1, 2_000);
    runner.start();
    const a = runner.enqueue(backup('a', PRIORITY.normal, ['x']));
    const idle = runner.enqueue(backup('idle', PRIORITY['on-idle'], ['y']));
    await flush();
    backups.finish(a.id);
    await runner.idle();
    clock.advance(1_500);
    await flush();
    expect(backups.started).toEqual([a.id]);
    // work that comes before the settle time is over starts at once, and the wait begins again
    const b = runner.enqueue(backup('b', PRIORITY.normal, ['x']));
    await flush();
    expect(backups.started).toEqual([a.id, b.id]);
    clock.advance(5_000);
    await flush();
    expect(backups.started).toEqual([a.id, b.id]);
    backups.finish(b.id);
    await runner.idle();
    clock.advance(1_999);
    await flush();
    expect(backups.started).toEqual([a.id, b.id]);
    expect(runner.counts()).toEqual({ queued: 1, running: 0 });
    clock.advance(1);
    await flush();
    expect(backups.started).toEqual([a.id, b.id, idle.id]);
  });

  it('runs on-idle jobs one after another without a new wait, and a reload takes a new jobs.idleDelay', async () => {
    build(2, 60_000);
    runner.start();
    const first = runner.enqueue(backup('idle', PRIORITY['on-idle'], ['y']));
    const second = runner.enqueue(prune('z', PRIORITY['on-idle']));
    await flush();
    expect(backups.started).toEqual([]);
    live.replace(config(2, undefined, undefined, 1_000));
    await flush();
    clock.advance(999);
    await flush();
    expect(backups.started).toEqual([]);
    clock.advance(1);
    await flush();
    // on-idle work runs one job at a time, and does not count as other work
    expect(backups.started).toEqual([first.id]);
    expect(prunes.started).toEqual([]);
    backups.finish(first.id);
    await flush();
    await flush();
    expect(prunes.started).toEqual([second.id]);
  });

  it('on reload, cancels waiting jobs of removed definitions, keeps the rest, and takes the new concurrency', async () => {
    build(1);
    runner.start();
    const a = runner.enqueue(backup('a', PRIORITY.normal, ['x']));
    const b = runner.enqueue(backup('b', PRIORITY.normal, ['y']));
    const c = runner.enqueue(backup('c', PRIORITY.normal, ['z']));
    const pruneX = runner.enqueue(prune('x'));
    await flush();
    expect(backups.started).toEqual([a.id]);
    live.replace(config(3, ['a', 'c'], ['y', 'z']));
    await flush();
    expect(store.get(b.id)).toMatchObject({
      state: 'canceled',
      error: { code: 'CANCELED', message: 'backup "b" is no longer in the configuration' },
    });
    expect(store.get(pruneX.id)?.error?.message).toBe(
      'repository "x" is no longer in the configuration',
    );
    expect(backups.started).toEqual([a.id, c.id]);
    expect(runner.runningJobs().map((j) => j.id)).toEqual([a.id, c.id]);
    backups.finish(a.id);
    backups.finish(c.id);
    await runner.idle();
    expect(store.get(a.id)?.state).toBe('succeeded');
  });

  it('cancels a waiting job, aborts a running one, and refuses to cancel an ended one', async () => {
    build(1);
    runner.start();
    const running = runner.enqueue(backup('a', PRIORITY.normal, ['x']));
    const waiting = runner.enqueue(backup('b', PRIORITY.normal, ['x']));
    await flush();
    expect(runner.cancel(waiting.id).state).toBe('canceled');
    runner.cancel(running.id);
    await runner.idle();
    const ended = store.get(running.id)!;
    expect(ended.state).toBe('canceled');
    expect(ended.error?.code).toBe('CANCELED');
    expect(store.get(waiting.id)!.state).toBe('canceled');
    expect(() => runner.cancel(running.id)).toThrow(JobConflictError);
    expect(backups.started).toEqual([running.id]);
  });

  it('fails a job that runs past maxDuration as timed out', async () => {
    build(1);
    runner.start();
    const job = runner.enqueue(backup('slow'));
    await flush();
    clock.advance(59_000);
    expect(runner.counts().running).toBe(1);
    clock.advance(2_000);
    await runner.idle();
    const ended = store.get(job.id)!;
    expect(ended.state).toBe('failed');
    expect(ended.error?.code).toBe('TIMED_OUT');
  });

  it('records a handler failure with its code and without secrets', async () => {
    build(1);
    runner.start();
    const job = runner.enqueue(backup('bad'));
    await flush();
    backups.runs
      .get(job.id)!
      .reject(
        Object.assign(new Error('password hunter2-secret refused'), { code: 'WRONG_PASSWORD' }),
      );
    await runner.idle();
    const ended = store.get(job.id)!;
    expect(ended.state).toBe('failed');
    expect(ended.error).toEqual({ code: 'WRONG_PASSWORD', message: 'password *** refused' });
    expect(published.map((j) => j.state)).toEqual(['queued', 'running', 'failed']);
  });

  it('announces progress at most twice a second and keeps the latest values', async () => {
    build(1);
    runner.start();
    const job = runner.enqueue(backup('p'));
    await flush();
    const context = backups.runs.get(job.id)!.context;
    const before = published.length;
    for (let i = 1; i <= 50; i++) {
      context.progress({
        percent: i,
        filesDone: i,
        totalFiles: 50,
        bytesDone: 0,
        totalBytes: 0,
        secondsElapsed: 0,
        secondsRemaining: null,
        currentFiles: [],
        step: null,
      });
      clock.advance(20); // 50 updates over one second
    }
    clock.advance(500);
    const progressUpdates = published.slice(before);
    expect(progressUpdates.length).toBeLessThanOrEqual(3);
    expect(progressUpdates.at(-1)?.progress?.percent).toBe(50);
  });

  it('stamps each recorded version of a job with updatedAt, as stored and as announced', async () => {
    build(1);
    runner.start();
    clock.advance(1000);
    const job = runner.enqueue(backup('stamped'));
    await flush();
    const queuedAt = job.queuedAt;
    expect(job.updatedAt).toBe(queuedAt);
    clock.advance(1500);
    backups.finish(job.id);
    await runner.idle();
    const ended = store.get(job.id)!;
    expect(ended.updatedAt).toBe(ended.endedAt);
    expect(Date.parse(ended.updatedAt) - Date.parse(queuedAt)).toBe(1500);
    expect(published.at(-1)?.updatedAt).toBe(ended.updatedAt);
  });

  it('restates progress with the elapsed time while restic is silent, until the job ends', async () => {
    build(1);
    runner.start();
    const job = runner.enqueue(backup('quiet'));
    await flush();
    const run = backups.runs.get(job.id)!;
    run.context.progress({
      percent: 100,
      filesDone: 5,
      totalFiles: 5,
      bytesDone: 10,
      totalBytes: 10,
      secondsElapsed: 4,
      secondsRemaining: 0,
      currentFiles: [],
      step: null,
    });
    const before = published.length;
    for (let t = 0; t < 3000; t += 50) clock.advance(50);
    const restated = published.slice(before);
    // one restatement per 600 ms of silence, each a little later than the one before
    expect(restated.length).toBeGreaterThanOrEqual(4);
    expect(restated.length).toBeLessThanOrEqual(5);
    expect(restated.map((j) => j.progress?.secondsElapsed)).toEqual(
      [...restated.map((j) => j.progress?.secondsElapsed)].sort(),
    );
    expect(restated.at(-1)?.progress).toMatchObject({ percent: 100, secondsElapsed: 7 });
    backups.finish(job.id);
    await runner.idle();
    const afterEnd = published.length;
    clock.advance(5000);
    expect(published.length).toBe(afterEnd);
  });

  it('marks jobs left running as interrupted at startup, unlocks their repositories and requeues waiting ones', () => {
    build(1);
    const left = store.create(backup('crashed', PRIORITY.normal, ['r9']), new Date().toISOString());
    left.state = 'running';
    left.steps.push({
      name: 'repository r9',
      kind: 'restic',
      repository: 'r9',
      state: 'running',
      startedAt: null,
      endedAt: null,
      error: null,
      snapshotId: null,
      summary: null,
    });
    store.save(left);
    const waiting = store.create(
      backup('waiting', PRIORITY.normal, ['r8']),
      new Date().toISOString(),
    );
    const { logs } = build(1);
    const recovery = new JobRecovery(store, runner, handlers, logs, events, clock);
    expect(recovery.recover()).toEqual({ interrupted: 1, requeued: 1 });
    const after = store.get(left.id)!;
    expect(after.state).toBe('interrupted');
    expect(after.steps[0].state).toBe('interrupted');
    const queued = runner.queuedJobs();
    expect(queued.map((j) => [j.operation, j.repository ?? j.backup])).toEqual([
      ['unlock', 'r9'],
      ['backup', 'waiting'],
    ]);
    expect(queued[1].id).toBe(waiting.id);
  });
  it('read-only, queues no unlock at startup and cancels waiting jobs that would write', () => {
    build(1);
    const left = store.create(backup('crashed', PRIORITY.normal, ['r9']), new Date().toISOString());
    left.state = 'running';
    store.save(left);
    const waiting = store.create(
      backup('waiting', PRIORITY.normal, ['r8']),
      new Date().toISOString(),
    );
    const { logs } = build(1);
    const recovery = new JobRecovery(store, runner, handlers, logs, events, clock);
    expect(recovery.recover({ readOnly: true })).toEqual({ interrupted: 1, requeued: 0 });
    expect(store.get(left.id)!.state).toBe('interrupted');
    expect(store.get(waiting.id)).toMatchObject({
      state: 'canceled',
      error: { code: 'READ_ONLY', message: 'the daemon is read-only' },
    });
    expect(runner.queuedJobs()).toEqual([]);
  });
});
