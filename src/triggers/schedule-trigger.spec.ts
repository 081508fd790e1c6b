import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { PubSub } from 'graphql-subscriptions';
import { BackupsService } from '../backups/backups.service';
import { FakeClock } from '../../test/support/fake-clock';
import { listenAsNest } from '../../test/support/event-listeners';
import { SecretScrubber } from '../common/secret-scrubber';
import type { BackupConfig, HenConfig, RepositoryConfig, Schedule } from '../config/config.types';
import { PRIORITY } from '../config/priority';
import { parseSchedule } from '../config/schedule';
import type { JobContext } from '../jobs/job-context';
import { JobEvents } from '../jobs/job-events';
import type { JobHandler } from '../jobs/job-handler';
import { JobHandlers } from '../jobs/job-handlers';
import { JobLogService } from '../jobs/job-log.service';
import { backupLock, repositoryLock } from '../jobs/job-locks';
import { JobRunner } from '../jobs/job-runner.service';
import { JobStore } from '../jobs/job-store';
import { PendingJobs } from '../jobs/pending-jobs';
import type { Job, JobOperation } from '../jobs/job.types';
import { StateDatabase } from '../state/state-database';
import { RepositoriesService } from '../repositories/repositories.service';
import { RepositoryJobsService } from '../repositories/repository-jobs.service';
import { BackupScheduleResolver, RepositoryScheduleResolver } from './schedule-fields.resolver';
import { ScheduleRunStore } from '../state/schedule-run-store';
import { ScheduleTrigger } from './schedule-trigger.service';
import { LiveConfig } from '../config/live-config';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const flush = () => new Promise((r) => setImmediate(r));
const schedules = (...sources: string[]) => sources.map((s) => parseSchedule(s) as Schedule);

/** Runs end when the test says so, or by themselves after `durationMs` of fake time. */
class TestHandler implements JobHandler {
  readonly runs = new Map<number, () => void>();
  durationMs?: number;

  constructor(
    readonly operation: JobOperation,
    private readonly clock: FakeClock,
  ) {}

  locks(job: Job) {
    return job.operation === 'backup'
      ? [backupLock(job.backup!)]
      : [repositoryLock(job.repository ?? `of-${job.backup}`, 'exclusive')];
  }

  run(context: JobContext): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.runs.set(context.job.id, resolve);
      context.signal.addEventListener('abort', () => reject(new Error('aborted')));
      if (this.durationMs !== undefined) this.clock.setTimeout(resolve, this.durationMs);
    });
  }
}

/** A fake clock whose wall time can jump while timers stand still, as in a system suspend. */
class SleepyClock extends FakeClock {
  slept = 0;
  override now(): number {
    return super.now() + this.slept;
  }
}

describe('ScheduleTrigger', () => {
  let dir: string;
  let clock: SleepyClock;
  let stacks: { runner: JobRunner; database: StateDatabase; trigger: ScheduleTrigger }[];
  let logged: Record<string, unknown>[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-schedule-'));
    clock = new SleepyClock(Date.parse('2026-01-01T00:00:00Z'));
    stacks = [];
    logged = [];
    jest.spyOn(Logger.prototype, 'log').mockImplementation((message: unknown) => {
      if (message && typeof message === 'object') logged.push(message as Record<string, unknown>);
    });
    for (const level of ['warn', 'error', 'debug'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined);
    }
  });
  afterEach(async () => {
    for (const s of stacks) await shutdown(s);
    rmSync(dir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  async function shutdown(s: (typeof stacks)[number]) {
    s.trigger.onModuleDestroy();
    await s.runner.beforeApplicationShutdown();
    s.database.close();
  }

  function config(
    backups: Record<string, Partial<BackupConfig>>,
    repositories: Record<string, Partial<RepositoryConfig>> = {},
    concurrency = 2,
  ): HenConfig {
    return {
      dataDir: dir,
      secrets: [],
      jobs: {
        concurrency,
        maxDurationMs: 1000 * DAY,
        // on-idle jobs (the weekly prune here) start as soon as the queue is idle
        idleDelayMs: 0,
        history: { keepDays: 90, keepCount: 1000 },
      },
      backups: Object.fromEntries(
        Object.entries(backups).map(([name, b]) => [
          name,
          { name, schedules: [], priority: PRIORITY.normal, prune: null, ...b },
        ]),
      ),
      repositories: Object.fromEntries(
        Object.entries(repositories).map(([name, r]) => [name, { name, check: null, ...r }]),
      ),
    } as unknown as HenConfig;
  }

  /** The real job stack over a temp SQLite file, without Nest, then the trigger on top. */
  function build(cfg: HenConfig, timeZone = 'UTC') {
    const database = new StateDatabase(cfg);
    const store = new JobStore(database);
    const emitter = new EventEmitter2();
    const events = new JobEvents(new PubSub(), emitter);
    const scrubber = new SecretScrubber([]);
    const logs = new JobLogService(store, events, scrubber, clock);
    const handlers = new JobHandlers();
    const handler = Object.fromEntries(
      (['backup', 'prune', 'check'] as const).map((op) => [op, new TestHandler(op, clock)]),
    ) as Record<'backup' | 'prune' | 'check', TestHandler>;
    Object.values(handler).forEach((h) => handlers.register(h));
    const live = new LiveConfig(cfg);
    const runner = new JobRunner(live, store, handlers, events, logs, clock, scrubber);
    const backups = new BackupsService(live, runner);
    const repositories = new RepositoriesService(live);
    const repositoryJobs = new RepositoryJobsService(repositories, runner);
    const runs = new ScheduleRunStore(database);
    listenAsNest(emitter, backups, repositoryJobs, new PendingJobs(runner));
    const trigger = new ScheduleTrigger(live, emitter, runs, clock, timeZone);
    stacks.push({ runner, database, trigger });
    runner.start();
    trigger.start();
    const jobs = (operation: JobOperation = 'backup') =>
      store.list({ operations: [operation] }, 10_000).reverse();
    /** Ends every running job of an operation now. */
    const finish = async (operation: 'backup' | 'prune' | 'check' = 'backup') => {
      for (const job of runner.runningJobs().filter((j) => j.operation === operation)) {
        handler[operation].runs.get(job.id)!();
      }
      await flush();
    };
    return { runner, store, runs, trigger, handler, backups, jobs, finish, live };
  }

  /** Moves fake time in steps, letting ended jobs settle between them. */
  async function advance(ms: number, step = MINUTE) {
    for (let left = ms; left > 0; left -= step) {
      clock.advance(Math.min(step, left));
      await flush();
    }
  }

  const isoAt = (offsetMs: number) => new Date(clock.now() + offsetMs).toISOString();

  it('runs a new interval definition at once, then counts the interval from the end of each run', async () => {
    const t = build(config({ pics: { schedules: schedules('1h') } }));
    await advance(0 + 1);
    expect(t.jobs().map((j) => [j.backup, j.trigger, j.state])).toEqual([
      ['pics', 'schedule', 'running'],
    ]);
    await advance(10 * MINUTE);
    await t.finish();
    const endedAt = clock.now();
    expect(t.trigger.nextRunAt('backup:pics')?.getTime()).toBe(endedAt + HOUR);
    await advance(HOUR - MINUTE);
    expect(t.jobs()).toHaveLength(1);
    await advance(MINUTE);
    expect(t.jobs()).toHaveLength(2);
    expect(t.jobs()[1].queuedAt).toBe(new Date(endedAt + HOUR).toISOString());
    expect(logged).toContainEqual(
      expect.objectContaining({
        msg: expect.stringContaining('backup pics is due: queued job'),
        backup: 'pics',
        nextRunAt: null,
      }),
    );
  });

  it('records the last run when the job ends, not when it is queued or started', async () => {
    const t = build(config({ pics: { schedules: schedules('1h') }, blocker: {} }, {}, 1));
    t.backups.request('blocker', 'api');
    await advance(1);
    expect(t.runner.queuedJobs().map((j) => j.backup)).toEqual(['pics']);
    await advance(30 * MINUTE);
    expect(t.runs.lastRunAt('backup:pics')).toBeNull();
    await t.finish(); // the blocker ends; pics starts
    expect(t.runner.runningJobs().map((j) => j.backup)).toEqual(['pics']);
    expect(t.runs.lastRunAt('backup:pics')).toBeNull();
    await advance(20 * MINUTE);
    await t.finish();
    expect(t.runs.lastRunAt('backup:pics')).toBe(clock.now());
    expect(t.trigger.nextRunAt('backup:pics')?.toISOString()).toBe(isoAt(HOUR));
  });

  it('counts a run asked for through the API too', async () => {
    const t = build(config({ pics: { schedules: schedules('1h') } }));
    await advance(1);
    await t.finish();
    await advance(30 * MINUTE);
    t.backups.request('pics', 'api');
    await advance(10 * MINUTE);
    await t.finish();
    expect(t.trigger.nextRunAt('backup:pics')?.toISOString()).toBe(isoAt(HOUR));
    await advance(HOUR);
    expect(t.jobs().map((j) => j.trigger)).toEqual(['schedule', 'api', 'schedule']);
  });

  it('counts a failed run (no retry loop) but not a canceled one', async () => {
    const cfg = config({ pics: { schedules: schedules('1h') } });
    cfg.jobs.maxDurationMs = 10 * MINUTE;
    const t = build(cfg);
    await advance(10 * MINUTE + 1); // times out: failed
    const [failed] = t.jobs();
    expect(failed.state).toBe('failed');
    expect(t.runs.lastRunAt('backup:pics')).toBe(Date.parse(failed.endedAt!));
    expect(t.trigger.nextRunAt('backup:pics')?.getTime()).toBe(Date.parse(failed.endedAt!) + HOUR);

    await advance(HOUR + 5 * MINUTE);
    const [, running] = t.jobs();
    expect(running.state).toBe('running');
    t.runner.cancel(running.id); // stopped by a person
    await flush();
    expect(t.runs.lastRunAt('backup:pics')).toBe(Date.parse(failed.endedAt!));
    // not queued again at once: the cancel stands until the next slot
    expect(t.trigger.nextRunAt('backup:pics')?.toISOString()).toBe(isoAt(HOUR));
  });

  it('starts a new cron definition at its next occurrence, not at once', async () => {
    const t = build(config({ nightly: { schedules: schedules('0 3 * * *') } }));
    await advance(MINUTE);
    expect(t.jobs()).toHaveLength(0);
    expect(t.trigger.nextRunAt('backup:nightly')?.toISOString()).toBe('2026-01-01T03:00:00.000Z');
    await advance(3 * HOUR);
    expect(t.jobs().map((j) => j.queuedAt)).toEqual(['2026-01-01T03:00:00.000Z']);
  });

  it('takes the nearest of several schedules', () => {
    const first = build(config({ pics: { schedules: schedules('1d', '0 30 2 * * *') } }));
    first.runs.record('backup:pics', Date.parse('2025-12-31T23:00:00Z'));
    first.trigger.stop();
    first.trigger.start();
    expect(first.trigger.nextRunAt('backup:pics')?.toISOString()).toBe('2026-01-01T02:30:00.000Z');
    first.runs.record('backup:pics', Date.parse('2025-12-31T20:00:00Z'));
    const second = build(config({ pics: { schedules: schedules('5h', '0 30 2 * * *') } }));
    expect(second.trigger.nextRunAt('backup:pics')?.toISOString()).toBe('2026-01-01T01:00:00.000Z');
  });

  it('catches up after a 3-day gap exactly once, then follows the normal cadence', async () => {
    // The daemon last ran three days ago.
    const db = new StateDatabase(config({}));
    const runs = new ScheduleRunStore(db);
    runs.record('backup:hourly', clock.now() - 3 * DAY);
    runs.record('backup:nightly', clock.now() - 3 * DAY);
    db.close();

    const t = build(
      config({
        hourly: { schedules: schedules('1h') },
        nightly: { schedules: schedules('0 2 * * *') },
      }),
    );
    await advance(30 * MINUTE);
    expect(t.jobs().map((j) => [j.backup, j.queuedAt])).toEqual([
      ['hourly', '2026-01-01T00:00:00.000Z'],
      ['nightly', '2026-01-01T00:00:00.000Z'],
    ]);
    await t.finish(); // at 00:30
    expect(t.trigger.nextRunAt('backup:hourly')?.toISOString()).toBe('2026-01-01T01:30:00.000Z');
    expect(t.trigger.nextRunAt('backup:nightly')?.toISOString()).toBe('2026-01-01T02:00:00.000Z');
    t.handler.backup.durationMs = 5 * MINUTE;
    await advance(DAY);
    const queued = (name: string) =>
      t
        .jobs()
        .filter((j) => j.backup === name)
        .map((j) => j.queuedAt.slice(11, 16));
    expect(queued('nightly')).toEqual(['00:00', '02:00']);
    expect(queued('hourly').slice(0, 4)).toEqual(['00:00', '01:30', '02:35', '03:40']);
  });

  it('does not ask again while a job of the definition is queued or running', async () => {
    const t = build(config({ pics: { schedules: schedules('1m') }, blocker: {} }, {}, 1));
    t.backups.request('blocker', 'api');
    await advance(10 * MINUTE); // pics waits behind the blocker
    expect(t.jobs().filter((j) => j.backup === 'pics')).toHaveLength(1);
    await t.finish(); // pics runs, longer than its interval
    await advance(10 * MINUTE);
    expect(t.jobs().filter((j) => j.backup === 'pics')).toHaveLength(1);
    expect(t.trigger.nextRunAt('backup:pics')).toBeNull();
    await t.finish();
    expect(t.trigger.nextRunAt('backup:pics')?.toISOString()).toBe(isoAt(MINUTE));
    await advance(MINUTE);
    expect(t.jobs().filter((j) => j.backup === 'pics')).toHaveLength(2);
  });

  it('skips a slot that falls while a manual run is going, and counts from that run', async () => {
    const t = build(config({ pics: { schedules: schedules('1h') } }));
    await advance(1);
    await t.finish(); // T0
    await advance(50 * MINUTE);
    t.backups.request('pics', 'api');
    await advance(30 * MINUTE); // the slot at T0+60m passes while it runs
    expect(t.jobs()).toHaveLength(2);
    expect(logged).toContainEqual(
      expect.objectContaining({ msg: expect.stringContaining('already running') }),
    );
    await t.finish(); // T0+80m
    await advance(HOUR - MINUTE);
    expect(t.jobs()).toHaveLength(2);
    await advance(MINUTE);
    expect(t.jobs()).toHaveLength(3);
  });

  it('does not undo a cancel: a canceled scheduled job waits for the next slot', async () => {
    const t = build(config({ pics: { schedules: schedules('1h') }, blocker: {} }, {}, 1));
    t.backups.request('blocker', 'api');
    await advance(1);
    const waiting = t.runner.queuedJobs()[0];
    t.runner.cancel(waiting.id);
    await advance(5 * MINUTE);
    expect(t.jobs().filter((j) => j.backup === 'pics')).toHaveLength(1);
    expect(t.runs.lastRunAt('backup:pics')).toBeNull();
    expect(t.trigger.nextRunAt('backup:pics')?.toISOString()).toBe(isoAt(55 * MINUTE));
  });

  it('keeps the last run across a restart, and catches up a run interrupted by the shutdown', async () => {
    const cfg = config({ pics: { schedules: schedules('1h') } });
    const first = build(cfg);
    await advance(1);
    await first.finish();
    const endedAt = clock.now();
    await advance(40 * MINUTE);
    await shutdown(stacks.pop()!);

    await advance(10 * MINUTE); // stopped for a while
    const second = build(cfg);
    expect(second.trigger.nextRunAt('backup:pics')?.getTime()).toBe(endedAt + HOUR);
    await advance(10 * MINUTE);
    expect(second.runner.runningJobs().map((j) => j.trigger)).toEqual(['schedule']);
    await shutdown(stacks.pop()!); // interrupts the running job: not a run

    const third = build(cfg);
    expect(third.runs.lastRunAt('backup:pics')).toBe(endedAt);
    await advance(1);
    expect(third.runner.runningJobs()).toHaveLength(1);
  });

  it('queues prunes and repository checks on their own schedules', async () => {
    const t = build(
      config(
        { pics: { prune: { schedules: schedules('1w'), priority: PRIORITY['on-idle'] } } },
        { offsite: { check: { schedules: schedules('0 4 * * *'), priority: PRIORITY.inferior } } },
      ),
    );
    await advance(1);
    expect(t.jobs('prune').map((j) => [j.backup, j.trigger, j.priority])).toEqual([
      ['pics', 'schedule', PRIORITY['on-idle']],
    ]);
    expect(t.trigger.nextRunAt('backup:pics')).toBeNull();
    expect(t.trigger.nextRunAt('check:offsite')?.toISOString()).toBe('2026-01-01T04:00:00.000Z');
    await t.finish('prune');
    expect(t.trigger.nextRunAt('prune:pics')?.toISOString()).toBe(isoAt(7 * DAY));
    await advance(4 * HOUR);
    expect(t.jobs('check').map((j) => [j.repository, j.trigger])).toEqual([
      ['offsite', 'schedule'],
    ]);
    await t.finish('check');
    expect(t.runs.lastRunAt('check:offsite')).toBe(clock.now());
    expect(t.trigger.nextRunAt('check:offsite')?.toISOString()).toBe('2026-01-02T04:00:00.000Z');
  });

  it.each([
    [
      'spring forward',
      '2026-03-27T12:00:00Z',
      ['2026-03-28T01:30', '2026-03-29T01:30', '2026-03-30T00:30'],
    ],
    [
      'fall back',
      '2026-10-23T12:00:00Z',
      ['2026-10-24T00:30', '2026-10-25T00:30', '2026-10-26T01:30'],
    ],
  ])(
    'runs a 02:30 daily backup once a day across %s (Europe/Berlin)',
    async (_name, start, expected) => {
      clock = new SleepyClock(Date.parse(start));
      const t = build(config({ nightly: { schedules: schedules('30 2 * * *') } }), 'Europe/Berlin');
      t.handler.backup.durationMs = 45 * MINUTE; // ends inside the repeated hour on fall-back day
      await advance(3 * DAY);
      expect(t.jobs().map((j) => j.queuedAt.slice(0, 16))).toEqual(expected);
    },
  );

  it('waits longer than 24.8 days in chunks Node timers accept', async () => {
    const t = build(config({ monthEnd: { schedules: schedules('0 0 31 * *') } }));
    clock.advance(Date.parse('2026-01-31T00:00:00Z') - clock.now()); // fires on Jan 31
    await flush();
    await t.finish();
    expect(t.trigger.nextRunAt('backup:monthEnd')?.toISOString()).toBe('2026-03-31T00:00:00.000Z');
    const setTimeout = jest.spyOn(clock, 'setTimeout'); // from here on only the trigger waits
    clock.advance(Date.parse('2026-03-31T00:00:00Z') - clock.now() - 1);
    await flush();
    expect(t.jobs()).toHaveLength(1);
    const delays = setTimeout.mock.calls.map(([, ms]) => ms);
    clock.advance(1);
    await flush();
    expect(t.jobs().map((j) => j.queuedAt)).toEqual([
      '2026-01-31T00:00:00.000Z',
      '2026-03-31T00:00:00.000Z',
    ]);
    expect(delays.length).toBeGreaterThan(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  it('notices a due time within a minute after the machine wakes from sleep', async () => {
    const t = build(config({ pics: { schedules: schedules('1d') } }));
    await advance(1);
    await t.finish();
    await advance(HOUR);
    clock.slept += 2 * DAY; // wall time jumps; timers did not run
    await advance(MINUTE);
    expect(t.jobs()).toHaveLength(2);
  });

  it('serves the next times through the Backup and Repository fields', async () => {
    const t = build(
      config(
        { pics: { schedules: schedules('0 3 * * *') } },
        { offsite: { check: { schedules: schedules('1w'), priority: PRIORITY.inferior } } },
      ),
    );
    await advance(1);
    const backups = new BackupScheduleResolver(t.trigger);
    const repositories = new RepositoryScheduleResolver(t.trigger);
    const pics = { name: 'pics' } as Parameters<typeof backups.nextRunAt>[0];
    expect(backups.nextRunAt(pics)).toEqual(new Date('2026-01-01T03:00:00.000Z'));
    expect(backups.nextPruneAt(pics)).toBeNull();
    // the check is running: its next time is known when it ends
    expect(repositories.nextCheckAt({ name: 'offsite' } as never)).toBeNull();
    await t.finish('check');
    expect(repositories.nextCheckAt({ name: 'offsite' } as never)?.toISOString()).toBe(
      isoAt(7 * DAY),
    );
  });

  describe('on reload', () => {
    it('keeps the timers of unchanged definitions, re-arms changed ones, arms new ones and drops removed ones', async () => {
      const t = build(
        config({
          pics: { schedules: schedules('1h') },
          docs: { schedules: schedules('1h') },
          music: { schedules: schedules('1h') },
        }),
      );
      await advance(1);
      await t.finish();
      const ended = clock.now();
      await advance(10 * MINUTE);
      t.live.replace(
        config({
          pics: { schedules: schedules('1h') },
          docs: { schedules: schedules('2h') },
          videos: { schedules: schedules('1d') },
        }),
      );
      expect(t.trigger.nextRunAt('backup:pics')?.getTime()).toBe(ended + HOUR);
      expect(t.trigger.nextRunAt('backup:docs')?.getTime()).toBe(ended + 2 * HOUR);
      expect(t.trigger.nextRunAt('backup:music')).toBeNull();
      // never ran: due at once
      await advance(1);
      expect(t.jobs().map((j) => j.backup)).toContain('videos');
      await t.finish();
      await advance(2 * HOUR);
      const asked = t.jobs().map((j) => j.backup);
      expect(asked.filter((b) => b === 'music')).toHaveLength(1);
      expect(asked.filter((b) => b === 'pics')).toHaveLength(2);
      expect(asked.filter((b) => b === 'docs')).toHaveLength(2);
    });

    it('leaves a definition whose job is running to be armed when the job ends', async () => {
      const t = build(config({ pics: { schedules: schedules('1h') } }));
      await advance(1);
      expect(t.runner.runningJobs()).toHaveLength(1);
      t.live.replace(config({ pics: { schedules: schedules('30m') } }));
      await advance(MINUTE);
      expect(t.jobs()).toHaveLength(1);
      await t.finish();
      expect(t.trigger.nextRunAt('backup:pics')?.toISOString()).toBe(isoAt(30 * MINUTE));
    });
  });
});
