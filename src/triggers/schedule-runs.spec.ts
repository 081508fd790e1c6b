import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HenConfig } from '../config/config.types';
import { PRIORITY } from '../config/priority';
import { JobStore } from '../jobs/job-store';
import type { JobRequest } from '../jobs/job.types';
import { StateDatabase } from '../state/state-database';
import { scheduledDefinitions, scheduleKeyOfJob } from './schedule-definitions';
import { ScheduleRunStore } from '../state/schedule-run-store';

describe('ScheduleRunStore', () => {
  let dir: string;
  let database: StateDatabase;
  const config = () => ({ dataDir: dir }) as unknown as HenConfig;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-schedule-runs-'));
    database = new StateDatabase(config());
  });
  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records and reads back the last run per key, as ISO text', () => {
    const runs = new ScheduleRunStore(database);
    expect(runs.lastRunAt('backup:pics')).toBeNull();
    runs.record('backup:pics', Date.parse('2026-01-01T10:00:00.123Z'));
    runs.record('backup:pics', Date.parse('2026-01-02T10:00:00Z'));
    expect(runs.lastRunAt('backup:pics')).toBe(Date.parse('2026-01-02T10:00:00Z'));
    expect(database.db.prepare('SELECT * FROM schedule_runs').all()).toEqual([
      { key: 'backup:pics', last_run_at: '2026-01-02T10:00:00.000Z' },
    ]);
  });

  it('is seeded from the job history when an older database is upgraded', () => {
    const store = new JobStore(database);
    const end = (request: Omit<JobRequest, 'trigger' | 'priority'>, state: string, at: string) => {
      const job = store.create({ ...request, trigger: 'api', priority: PRIORITY.normal }, at);
      store.save({ ...job, state: state as never, endedAt: at });
    };
    end({ operation: 'backup', backup: 'pics' }, 'succeeded', '2026-01-01T00:00:00.000Z');
    end({ operation: 'backup', backup: 'pics' }, 'failed', '2026-01-03T00:00:00.000Z');
    end({ operation: 'backup', backup: 'pics' }, 'canceled', '2026-01-04T00:00:00.000Z');
    end({ operation: 'prune', backup: 'pics' }, 'succeeded', '2026-01-02T00:00:00.000Z');
    end({ operation: 'check', repository: 'offsite' }, 'succeeded', '2026-01-05T00:00:00.000Z');
    end({ operation: 'unlock', repository: 'offsite' }, 'succeeded', '2026-01-06T00:00:00.000Z');
    // Back to the schema before schedule_runs existed, then open it again.
    // (and without what later migrations added)
    database.db.exec(`DROP TABLE schedule_runs;
      DROP INDEX jobs_backup_state;
      DROP INDEX jobs_repository_state;
      ALTER TABLE jobs DROP COLUMN updated_at;`);
    database.db.pragma('user_version = 1');
    database.close();
    database = new StateDatabase(config());

    const runs = new ScheduleRunStore(database);
    expect(database.db.prepare('SELECT * FROM schedule_runs ORDER BY key').all()).toEqual([
      { key: 'backup:pics', last_run_at: '2026-01-03T00:00:00.000Z' },
      { key: 'check:offsite', last_run_at: '2026-01-05T00:00:00.000Z' },
      { key: 'prune:pics', last_run_at: '2026-01-02T00:00:00.000Z' },
    ]);
    expect(runs.lastRunAt('check:offsite')).toBe(Date.parse('2026-01-05T00:00:00Z'));
  });
});

describe('schedule definitions', () => {
  it('lists every backup, prune and check that has schedules, with its key', () => {
    const every = [{ kind: 'interval', everyMs: 1000, source: '1s' }];
    const config = {
      backups: {
        pics: { name: 'pics', schedules: every, prune: { schedules: every } },
        docs: { name: 'docs', schedules: [], prune: null },
      },
      repositories: {
        offsite: { name: 'offsite', check: { schedules: every } },
        local: { name: 'local', check: null },
      },
    } as unknown as HenConfig;
    expect(scheduledDefinitions(config).map((d) => d.key)).toEqual([
      'backup:pics',
      'prune:pics',
      'check:offsite',
    ]);
  });

  it('maps a job to the schedule it counts for', () => {
    const key = (operation: string, backup: string | null, repository: string | null) =>
      scheduleKeyOfJob({ operation, backup, repository });
    expect(key('backup', 'pics', null)).toBe('backup:pics');
    expect(key('prune', 'pics', null)).toBe('prune:pics');
    expect(key('check', null, 'offsite')).toBe('check:offsite');
    expect(key('unlock', null, 'offsite')).toBeNull();
    expect(key('restore', 'pics', 'offsite')).toBeNull();
  });
});
