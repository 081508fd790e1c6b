import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PubSub } from 'graphql-subscriptions';
import { FakeClock } from '../../test/support/fake-clock';
import { SecretScrubber } from '../common/secret-scrubber';
import type { HenConfig } from '../config/config.types';
import { JobEvents } from './job-events';
import { HISTORY_PRUNE_INTERVAL_MS, JobHistory } from './job-history';
import { JobLogService, MAX_STORED_LOG_LINES } from './job-log.service';
import { JobStore } from './job-store';
import type { Job, JobOperation, JobState } from './job.types';
import { StateDatabase } from '../state/state-database';
import { LiveConfig } from '../config/live-config';

const DAY = 24 * 60 * 60 * 1000;

describe('job history retention', () => {
  let dir: string;
  let clock: FakeClock;
  let database: StateDatabase;
  let store: JobStore;
  let logs: JobLogService;
  let events: JobEvents;

  const build = (keepDays: number, keepCount: number) => {
    const config = {
      dataDir: dir,
      jobs: { concurrency: 1, maxDurationMs: 60_000, history: { keepDays, keepCount } },
    } as unknown as HenConfig;
    database = new StateDatabase(config);
    store = new JobStore(database);
    events = new JobEvents(new PubSub());
    logs = new JobLogService(store, events, new SecretScrubber([]), clock);
    return new JobHistory(new LiveConfig(config), database, clock);
  };

  /** A job that ended `daysAgo` days before the clock's now (or is still queued/running). */
  const job = (
    state: JobState,
    daysAgo: number,
    what: { operation?: JobOperation; backup?: string; repository?: string } = {},
  ): Job => {
    const at = new Date(clock.now() - daysAgo * DAY).toISOString();
    const created = store.create(
      {
        operation: what.operation ?? 'backup',
        backup: what.backup ?? (what.repository ? null : 'docs'),
        repository: what.repository ?? null,
        trigger: 'schedule',
        priority: 0,
      },
      at,
    );
    created.state = state;
    if (state !== 'queued') created.startedAt = at;
    if (state !== 'queued' && state !== 'running') created.endedAt = at;
    store.save(created);
    logs.write(created, 'info', `line of job ${created.id}`);
    logs.forget(created.id);
    return created;
  };

  const ids = () => store.list({}, 10_000).map((j) => j.id);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-history-'));
    clock = new FakeClock(Date.parse('2026-06-01T00:00:00Z'));
  });
  afterEach(() => {
    database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes ended jobs older than keepDays, with their logs', () => {
    const history = build(30, 1000);
    const old = job('failed', 40);
    const oldSucceeded = job('succeeded', 50);
    const newerSucceeded = job('succeeded', 35);
    const recent = job('failed', 10);
    expect(history.prune()).toBe(2);
    expect(ids()).toEqual([recent.id, newerSucceeded.id]);
    expect(store.logs(old.id, { size: 10, fromEnd: false }).items).toEqual([]);
    expect(store.logs(oldSucceeded.id, { size: 10, fromEnd: false }).items).toEqual([]);
    expect(store.logs(recent.id, { size: 10, fromEnd: false }).items).toHaveLength(1);
    const orphans = database.db.prepare('SELECT COUNT(*) AS n FROM job_logs').get() as {
      n: number;
    };
    expect(orphans.n).toBe(2);
  });

  it('keeps only the keepCount newest ended jobs', () => {
    const history = build(365, 3);
    const all = [1, 2, 3, 4, 5, 6].map((d) => job('failed', 10 - d));
    expect(history.prune()).toBe(3);
    expect(ids()).toEqual(
      all
        .slice(3)
        .map((j) => j.id)
        .reverse(),
    );
  });

  it('never removes the last successful job of each definition, nor queued or running jobs', () => {
    const history = build(1, 1);
    const lastDocs = job('succeeded', 100, { backup: 'docs' });
    job('succeeded', 200, { backup: 'docs' }); // an older success of the same definition goes
    const lastPictures = job('succeeded', 150, { backup: 'pictures' });
    const lastPrune = job('succeeded', 120, { operation: 'prune', backup: 'docs' });
    const lastCheck = job('succeeded', 90, { operation: 'check', repository: 'nas' });
    const lastCheckOther = job('succeeded', 90, { operation: 'check', repository: 'aws' });
    const queued = job('queued', 300);
    const running = job('running', 300);
    job('failed', 50, { backup: 'docs' });
    job('interrupted', 50, { backup: 'docs' });
    job('canceled', 50, { backup: 'docs' });
    const newest = job('failed', 0);

    history.prune();
    expect(ids().sort((a, b) => a - b)).toEqual(
      [
        lastDocs.id,
        lastPictures.id,
        lastPrune.id,
        lastCheck.id,
        lastCheckOther.id,
        queued.id,
        running.id,
        newest.id,
      ].sort((a, b) => a - b),
    );
  });

  it('removes large histories in batches', () => {
    const history = build(1, 10);
    for (let i = 0; i < 1234; i++) job('failed', 5);
    expect(history.prune()).toBe(1234);
    expect(ids()).toEqual([]);
  });

  it('lets the WAL checkpoint catch up every twelve steps of a long background pass', async () => {
    const history = build(1, 10);
    const insertMany = database.db.transaction(() => {
      for (let i = 0; i < 12_000; i++) job('failed', 5);
    });
    insertMany();
    database.checkpoints.start();
    const checkpoint = jest.spyOn(database.checkpoints, 'checkpoint');
    history.onApplicationBootstrap();
    await history.idle();
    history.onApplicationShutdown();
    expect(ids()).toEqual([]);
    const { steps } = history.lastPass!;
    expect(steps).toBeGreaterThanOrEqual(12);
    expect(checkpoint).toHaveBeenCalledTimes(Math.floor(steps / 12));
    // each one was a checkpoint the worker ran, not a pass that went on without it
    const results = await Promise.all(checkpoint.mock.results.map((r) => r.value as unknown));
    expect(results.every((r) => r !== null)).toBe(true);
    await database.onApplicationShutdown();
  });

  it('starts its background pass once the integrity check of the file has ended', async () => {
    const history = build(2, 1000);
    job('failed', 3);
    let checked!: (result: string) => void;
    database.integrityChecked = new Promise((resolve) => (checked = resolve));
    history.onApplicationBootstrap();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ids()).toHaveLength(1);
    checked('ok');
    await history.idle();
    expect(ids()).toEqual([]);
    history.onApplicationShutdown();
  });

  it('prunes in the background after startup and then every hour', async () => {
    const history = build(2, 1000);
    job('failed', 3);
    history.onApplicationBootstrap();
    await history.idle();
    expect(ids()).toEqual([]);
    const later = job('failed', 1);
    clock.advance(DAY + HISTORY_PRUNE_INTERVAL_MS);
    await history.idle();
    expect(ids()).toEqual([]);
    expect(store.get(later.id)).toBeNull();
    history.onApplicationShutdown();
    expect(clock.pending).toBe(0);
  });
});

describe('job log cap', () => {
  let dir: string;
  let database: StateDatabase;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-logcap-'));
  });
  afterEach(() => {
    database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`stores ${MAX_STORED_LOG_LINES} lines, then one marker with the count; the rest go to stdout only`, () => {
    database = new StateDatabase({ dataDir: dir });
    const store = new JobStore(database);
    const events = new JobEvents(new PubSub());
    const announced: number[] = [];
    jest.spyOn(events, 'log').mockImplementation((entry) => announced.push(entry.seq));
    const logs = new JobLogService(store, events, new SecretScrubber([]), new FakeClock());
    const stdout = jest
      .spyOn((logs as unknown as { logger: { log: (m: unknown) => void } }).logger, 'log')
      .mockImplementation(() => undefined);
    const job = store.create(
      { operation: 'backup', backup: 'docs', trigger: 'api', priority: 0 },
      new Date().toISOString(),
    );
    const extra = 1234;
    for (let i = 1; i <= MAX_STORED_LOG_LINES + extra; i++) logs.write(job, 'info', `line ${i}`);
    expect(stdout).toHaveBeenCalledTimes(MAX_STORED_LOG_LINES + extra);
    expect(announced).toHaveLength(MAX_STORED_LOG_LINES + 1);

    const stored = store.logs(job.id, {
      size: 100,
      fromEnd: false,
      after: MAX_STORED_LOG_LINES - 2,
    }).items;
    expect(stored.map((e) => e.message)).toEqual([
      `line ${MAX_STORED_LOG_LINES - 1}`,
      `line ${MAX_STORED_LOG_LINES}`,
      expect.stringMatching(/^… more lines not stored/),
    ]);
    logs.forget(job.id);
    const marker = store.logs(job.id, {
      size: 100,
      fromEnd: false,
      after: MAX_STORED_LOG_LINES,
    }).items;
    expect(marker).toHaveLength(1);
    expect(marker[0].level).toBe('warn');
    expect(marker[0].message).toMatch(new RegExp(`^… ${extra} more lines not stored`));

    // After a restart, a capped log stays capped.
    const again = new JobLogService(store, events, new SecretScrubber([]), new FakeClock());
    jest
      .spyOn((again as unknown as { logger: { warn: (m: unknown) => void } }).logger, 'warn')
      .mockImplementation(() => undefined);
    again.write(job, 'warn', 'marked interrupted at startup');
    expect(
      store.logs(job.id, { size: 100, fromEnd: false, after: MAX_STORED_LOG_LINES }).items,
    ).toHaveLength(1);
  });

  it('stores each line before announcing it', () => {
    database = new StateDatabase({ dataDir: dir });
    const store = new JobStore(database);
    const events = new JobEvents(new PubSub());
    const announce = jest.spyOn(events, 'log').mockImplementation((entry) => {
      expect(
        store.logs(entry.jobId, { size: 1, fromEnd: false, after: entry.seq - 1 }).items[0],
      ).toEqual(entry);
    });
    const logs = new JobLogService(store, events, new SecretScrubber([]), new FakeClock());
    jest
      .spyOn((logs as unknown as { logger: { log: (m: unknown) => void } }).logger, 'log')
      .mockImplementation(() => undefined);
    const job = store.create(
      { operation: 'backup', backup: 'docs', trigger: 'api', priority: 0 },
      new Date().toISOString(),
    );
    logs.write(job, 'info', 'one');
    logs.write(job, 'info', 'two');
    expect(announce).toHaveBeenCalledTimes(2);
  });
});
