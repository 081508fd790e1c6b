import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PubSub } from 'graphql-subscriptions';
import { FakeClock } from '../../test/support/fake-clock';
import { RuntimeInfo } from '../common/runtime-info';
import type { HenConfig } from '../config/config.types';
import { PRIORITY } from '../config/priority';
import { JobEvents } from '../jobs/job-events';
import type { JobRunner } from '../jobs/job-runner.service';
import { JobStore } from '../jobs/job-store';
import type { Job, JobStep } from '../jobs/job.types';
import { StateDatabase } from '../state/state-database';
import type { ScheduleTrigger } from '../triggers/schedule-trigger.service';
import type { WatchTrigger } from '../triggers/watch-trigger.service';
import { parseExposition, samplesOf, valueOf } from '../../test/support/exposition';
import { MetricsService } from './metrics.service';
import { LiveConfig } from '../config/live-config';

const HOUR = 3_600_000;
const START = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('MetricsService', () => {
  let dir: string;
  let config: HenConfig;
  let databases: StateDatabase[];
  let queued: Job[];
  let running: Job[];
  let nextRun: Date | null;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-metrics-'));
    databases = [];
    queued = [];
    running = [];
    nextRun = new Date(START + HOUR);
    config = {
      hostname: 'test-host',
      dataDir: dir,
      backups: {
        docs: {
          name: 'docs',
          repositories: ['local'],
          schedules: [{ kind: 'interval', everyMs: HOUR, source: '1h' }],
          watch: { wait: { minMs: 1000, maxMs: 2000 } },
          prune: null,
        },
        manual: {
          name: 'manual',
          repositories: ['local'],
          schedules: [],
          watch: null,
          prune: null,
        },
      },
      repositories: {
        local: {
          name: 'local',
          check: { schedules: [{ kind: 'interval', everyMs: 24 * HOUR, source: '1d' }] },
        },
      },
    } as unknown as HenConfig;
  });

  afterEach(() => {
    for (const db of databases) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function build(clock = new FakeClock(START)) {
    const database = new StateDatabase(config);
    databases.push(database);
    const store = new JobStore(database);
    const events = new JobEvents(new PubSub());
    const runner = { queuedJobs: () => queued, runningJobs: () => running } as unknown as JobRunner;
    const schedules = { nextRunAt: () => nextRun } as unknown as ScheduleTrigger;
    const watchers = { activeCount: () => 1 } as unknown as WatchTrigger;
    const runtime = Object.assign(new RuntimeInfo(), { resticVersion: '0.14.0' });
    Object.assign(runtime, { startedAt: clock.now() });
    const live = new LiveConfig(config);
    const service = new MetricsService(
      live,
      store,
      runner,
      schedules,
      watchers,
      runtime,
      clock,
      events,
      'UTC',
    );
    const scrape = async () => parseExposition((await service.render()).body);
    return { store, events, service, scrape, clock, live };
  }

  function finishedBackup(
    store: JobStore,
    state: 'succeeded' | 'failed',
    endMs: number,
    dataAdded = 1234,
    errorCode = 'WRONG_PASSWORD',
  ): Job {
    const job = store.create(
      { operation: 'backup', backup: 'docs', trigger: 'schedule', priority: 0 },
      iso(endMs - 10_000),
    );
    const step: JobStep = {
      name: 'repository local',
      kind: 'restic',
      repository: 'local',
      state,
      startedAt: iso(endMs - 8_000),
      endedAt: iso(endMs - 1_000),
      error: state === 'failed' ? { code: errorCode, message: 'restic failed' } : null,
      snapshotId: state === 'succeeded' ? `snap${endMs}` : null,
      summary:
        state === 'succeeded'
          ? { dataAdded, totalBytesProcessed: 9000, totalFilesProcessed: 9, durationSeconds: 6 }
          : null,
    };
    Object.assign(job, {
      state,
      startedAt: iso(endMs - 9_000),
      endedAt: iso(endMs),
      steps: [step],
      snapshotIds: step.snapshotId ? [step.snapshotId] : [],
      error: step.error,
    });
    store.save(job);
    return job;
  }

  it('rebuilds the last success and failure gauges and snapshot counts from the job history', async () => {
    const first = build();
    finishedBackup(first.store, 'succeeded', START - 3 * HOUR);
    finishedBackup(first.store, 'failed', START - 2 * HOUR);
    finishedBackup(first.store, 'succeeded', START - HOUR, 555);

    const { scrape } = build(); // a restart: a new service over the same state file
    const m = await scrape();
    const docs = { backup: 'docs' };
    const local = { backup: 'docs', repository: 'local' };
    expect(valueOf(m, 'hen_backup_backup_last_success_timestamp_seconds', docs)).toBe(
      (START - HOUR) / 1000,
    );
    expect(valueOf(m, 'hen_backup_backup_last_failure_timestamp_seconds', docs)).toBe(
      (START - 2 * HOUR) / 1000,
    );
    expect(valueOf(m, 'hen_backup_backup_last_duration_seconds', docs)).toBe(9);
    expect(valueOf(m, 'hen_backup_repository_last_added_bytes', local)).toBe(555);
    expect(valueOf(m, 'hen_backup_repository_last_processed_bytes', local)).toBe(9000);
    expect(valueOf(m, 'hen_backup_repository_last_processed_files', local)).toBe(9);
    expect(valueOf(m, 'hen_backup_repository_last_duration_seconds', local)).toBe(6);
    expect(valueOf(m, 'hen_backup_repository_snapshots', local)).toBe(2);
    expect(valueOf(m, 'hen_backup_repository_last_failure_timestamp_seconds', local)).toBe(
      (START - 2 * HOUR - 1000) / 1000,
    );
    // counters count this process only
    expect(valueOf(m, 'hen_backup_jobs_run_total', { operation: 'backup' })).toBe(0);
    expect(m.types.hen_backup_jobs_run_total).toBe('counter');
    expect(m.types.hen_backup_job_duration_seconds).toBe('histogram');
  });

  it('follows finished jobs: counters, the histogram, hook failures and the gauges', async () => {
    const { store, events, scrape } = build();
    const ok = finishedBackup(store, 'succeeded', START - 60_000);
    const bad = finishedBackup(store, 'failed', START - 30_000);
    bad.steps.push({
      name: 'before[0] command false',
      kind: 'hook',
      repository: null,
      state: 'failed',
      startedAt: null,
      endedAt: null,
      error: null,
      snapshotId: null,
      summary: null,
    });
    events.finished(ok);
    events.finished(bad);
    const canceledWhileQueued = { ...ok, id: 99, state: 'canceled' as const, startedAt: null };
    events.finished(canceledWhileQueued);

    const m = await scrape();
    expect(valueOf(m, 'hen_backup_jobs_run_total', { operation: 'backup' })).toBe(2);
    expect(valueOf(m, 'hen_backup_jobs_failed_total', { operation: 'backup' })).toBe(1);
    expect(valueOf(m, 'hen_backup_jobs_failed_total', { operation: 'prune' })).toBe(0);
    expect(valueOf(m, 'hen_backup_job_duration_seconds_count', { operation: 'backup' })).toBe(2);
    expect(
      valueOf(m, 'hen_backup_job_duration_seconds_bucket', { operation: 'backup', le: '15' }),
    ).toBe(2);
    expect(
      valueOf(m, 'hen_backup_job_duration_seconds_bucket', { operation: 'backup', le: '5' }),
    ).toBe(0);
    expect(
      valueOf(m, 'hen_backup_hook_failures_total', {
        backup: 'docs',
        stage: 'before',
        ignored: 'false',
      }),
    ).toBe(1);
    expect(valueOf(m, 'hen_backup_backup_last_failure_timestamp_seconds', { backup: 'docs' })).toBe(
      (START - 30_000) / 1000,
    );
  });

  it('reports the queue and running jobs by priority name, the triggers and overdue', async () => {
    const { scrape, clock, store } = build();
    const job = (priority: number) => ({ priority }) as Job;
    queued = [job(PRIORITY.normal), job(PRIORITY.normal), job(PRIORITY['on-idle']), job(7)];
    running = [job(PRIORITY.immediate)];
    let m = await scrape();
    expect(valueOf(m, 'hen_backup_queued_jobs', { priority: 'normal' })).toBe(2);
    expect(valueOf(m, 'hen_backup_queued_jobs', { priority: 'on-idle' })).toBe(1);
    expect(valueOf(m, 'hen_backup_queued_jobs', { priority: '7' })).toBe(1);
    expect(valueOf(m, 'hen_backup_queued_jobs', { priority: 'next' })).toBe(0);
    expect(valueOf(m, 'hen_backup_running_jobs', { priority: 'immediate' })).toBe(1);
    expect(valueOf(m, 'hen_backup_watchers_active')).toBe(1);
    expect(valueOf(m, 'hen_backup_watchers_configured')).toBe(1);
    expect(valueOf(m, 'hen_backup_schedules_configured')).toBe(2);
    expect(
      valueOf(m, 'hen_backup_schedule_next_run_timestamp_seconds', {
        operation: 'backup',
        backup: 'docs',
      }),
    ).toBe((START + HOUR) / 1000);
    expect(valueOf(m, 'hen_backup_backup_overdue', { backup: 'docs' })).toBe(0);
    expect(samplesOf(m, 'hen_backup_info')).toEqual([
      {
        name: 'hen_backup_info',
        labels: {
          version: new RuntimeInfo().version,
          restic_version: '0.14.0',
          hostname: 'test-host',
        },
        value: 1,
      },
    ]);
    expect(
      valueOf(m, 'hen_backup_schedule_interval_seconds', { operation: 'backup', backup: 'docs' }),
    ).toBe(3600);
    const checkInterval = samplesOf(m, 'hen_backup_schedule_interval_seconds', {
      operation: 'check',
    });
    expect(checkInterval).toEqual([
      {
        name: 'hen_backup_schedule_interval_seconds',
        labels: { hostname: 'test-host', operation: 'check', repository: 'local' },
        value: 86400,
      },
    ]);

    // 1 h interval, grace 30 min: never succeeded since the daemon started 1.6 h ago
    nextRun = null;
    clock.advance(1.6 * HOUR);
    m = await scrape();
    expect(valueOf(m, 'hen_backup_backup_overdue', { backup: 'docs' })).toBe(1);
    expect(valueOf(m, 'hen_backup_backup_overdue', { backup: 'manual' })).toBe(0);
    expect(valueOf(m, 'hen_backup_schedule_next_run_timestamp_seconds')).toBeUndefined();
    void store;
  });

  it('counts failures in a row, bytes added, queue waits, and whether repositories answered', async () => {
    const { store, events, scrape, clock } = build();
    let m = await scrape();
    // before any job: every backup has a zero, every configured pair a zero counter
    expect(valueOf(m, 'hen_backup_backup_consecutive_failures', { backup: 'docs' })).toBe(0);
    expect(valueOf(m, 'hen_backup_backup_consecutive_failures', { backup: 'manual' })).toBe(0);
    expect(
      valueOf(m, 'hen_backup_added_bytes_total', { backup: 'docs', repository: 'local' }),
    ).toBe(0);
    expect(samplesOf(m, 'hen_backup_repository_reachable')).toEqual([]);
    expect(valueOf(m, 'hen_backup_queue_oldest_wait_seconds')).toBe(0);

    events.finished(finishedBackup(store, 'succeeded', START - 50_000, 1000));
    events.finished(finishedBackup(store, 'succeeded', START - 40_000, 500));
    events.finished(finishedBackup(store, 'failed', START - 30_000));
    events.finished(finishedBackup(store, 'failed', START - 20_000));
    m = await scrape();
    expect(valueOf(m, 'hen_backup_backup_consecutive_failures', { backup: 'docs' })).toBe(2);
    expect(
      valueOf(m, 'hen_backup_added_bytes_total', { backup: 'docs', repository: 'local' }),
    ).toBe(1500);
    // a wrong password: restic reached the store
    expect(valueOf(m, 'hen_backup_repository_reachable', { repository: 'local' })).toBe(1);
    // queued 10 s, started 1 s later
    expect(valueOf(m, 'hen_backup_job_queue_wait_seconds_count', { operation: 'backup' })).toBe(4);
    expect(
      valueOf(m, 'hen_backup_job_queue_wait_seconds_bucket', { operation: 'backup', le: '1' }),
    ).toBe(4);

    // the records follow a job's end as stored (once: the end and the records commit together)
    const unreachable = finishedBackup(store, 'failed', START - 10_000, 0, 'BACKEND_UNREACHABLE');
    events.finished(unreachable);
    queued = [{ priority: 0, queuedAt: iso(START - 90_000) } as Job];
    clock.advance(10_000);
    m = await scrape();
    expect(valueOf(m, 'hen_backup_backup_consecutive_failures', { backup: 'docs' })).toBe(3);
    expect(valueOf(m, 'hen_backup_repository_reachable', { repository: 'local' })).toBe(0);
    expect(valueOf(m, 'hen_backup_queue_oldest_wait_seconds')).toBe(100);

    events.finished(finishedBackup(store, 'succeeded', START + 5_000));
    m = await scrape();
    expect(valueOf(m, 'hen_backup_backup_consecutive_failures', { backup: 'docs' })).toBe(0);
    expect(valueOf(m, 'hen_backup_repository_reachable', { repository: 'local' })).toBe(1);

    // the history gives the same failures in a row after a restart
    events.finished(finishedBackup(store, 'failed', START + 6_000));
    const restarted = await build(new FakeClock(START + 7_000)).scrape();
    expect(valueOf(restarted, 'hen_backup_backup_consecutive_failures', { backup: 'docs' })).toBe(
      1,
    );
  });

  it('labels every series with the hostname, leaves no label empty, and drops the _total gauges', async () => {
    const { store, events, scrape } = build();
    const check = store.create(
      { operation: 'check', repository: 'local', trigger: 'schedule', priority: 0 },
      iso(START - 5_000),
    );
    Object.assign(check, {
      state: 'succeeded',
      startedAt: iso(START - 4_000),
      endedAt: iso(START - 1_000),
      steps: [
        {
          name: 'check local',
          kind: 'restic',
          repository: 'local',
          state: 'succeeded',
          startedAt: iso(START - 4_000),
          endedAt: iso(START - 1_000),
          error: null,
          snapshotId: null,
          summary: null,
        },
      ],
    });
    store.save(check);
    events.finished(check);
    const m = await scrape();
    expect(
      samplesOf(m, 'hen_backup_maintenance_last_success_timestamp_seconds').map((s) => s.labels),
    ).toEqual([{ hostname: 'test-host', operation: 'check', repository: 'local' }]);
    expect(m.samples.length).toBeGreaterThan(50);
    for (const sample of m.samples) {
      expect(sample.labels.hostname).toBe('test-host');
      for (const value of Object.values(sample.labels)) expect(value).not.toBe('');
    }
    for (const name of Object.keys(m.types)) {
      if (m.types[name] !== 'counter') expect(name).not.toMatch(/_total$/);
    }
    expect(m.types.nodejs_active_handles).toBe('gauge');
  });

  it('counts a scheduled backup a reload adds to a daemon that had no schedule (issue 18)', async () => {
    for (const backup of Object.values(config.backups)) backup.schedules = [];
    (config.repositories.local as { check: unknown }).check = null;
    const { scrape, live } = build();
    expect(valueOf(await scrape(), 'hen_backup_schedules_configured')).toBe(0);
    live.replace({
      ...config,
      backups: {
        ...config.backups,
        nightly: {
          name: 'nightly',
          repositories: ['local'],
          schedules: [{ kind: 'interval', everyMs: 24 * HOUR, source: '1d' }],
          watch: null,
          prune: null,
        },
      },
    } as unknown as HenConfig);
    const m = await scrape();
    expect(valueOf(m, 'hen_backup_schedules_configured')).toBe(1);
    expect(
      valueOf(m, 'hen_backup_schedule_interval_seconds', {
        operation: 'backup',
        backup: 'nightly',
      }),
    ).toBe(24 * 3600);
  });

  it('follows a reload: new schedules, a zero bytes counter for a new backup, a new hostname', async () => {
    const { scrape, live } = build();
    live.replace({
      ...config,
      hostname: 'renamed-host',
      backups: {
        ...config.backups,
        photos: {
          name: 'photos',
          repositories: ['local'],
          schedules: [{ kind: 'interval', everyMs: 6 * HOUR, source: '6h' }],
          watch: null,
          prune: null,
        },
      },
    } as unknown as HenConfig);
    const m = await scrape();
    expect(
      valueOf(m, 'hen_backup_schedule_interval_seconds', {
        operation: 'backup',
        backup: 'photos',
        hostname: 'renamed-host',
      }),
    ).toBe(6 * 3600);
    expect(valueOf(m, 'hen_backup_schedules_configured')).toBe(3);
    expect(
      valueOf(m, 'hen_backup_added_bytes_total', { backup: 'photos', repository: 'local' }),
    ).toBe(0);
    expect(valueOf(m, 'hen_backup_info', { hostname: 'renamed-host' })).toBe(1);
  });
});
