import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../test/support/fake-clock';
import type { HenConfig } from '../config/config.types';
import { LiveConfig } from '../config/live-config';
import type { BackupRecords } from './backup-records';
import { JobHistory } from './job-history';
import { RecordRows } from './job-record-rows';
import { JobStore } from './job-store';
import type { Job, JobOperation, JobState, JobStep } from './job.types';
import { StateDatabase } from '../state/state-database';

const T0 = Date.parse('2026-06-01T00:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

/** Records in a stable order, for comparison. */
function sorted(records: BackupRecords) {
  const all = records.all();
  const by = (r: object) => JSON.stringify(r);
  return Object.fromEntries(
    Object.entries(all).map(([kind, list]) => [
      kind,
      [...list].sort((a, b) => (by(a) < by(b) ? -1 : 1)),
    ]),
  );
}

describe('records kept as jobs end (job_records)', () => {
  let dir: string;
  let database: StateDatabase;
  let store: JobStore;
  let clock: FakeClock;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hen-records-'));
    database = new StateDatabase({ dataDir: dir });
    store = new JobStore(database);
    clock = new FakeClock(T0);
  });
  afterEach(() => {
    if (database.db.open) database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const iso = (ms: number) => new Date(ms).toISOString();
  let seq = 0;
  const restic = (
    repository: string,
    state: JobStep['state'],
    over: Partial<JobStep> = {},
  ): JobStep => ({
    name: `repository ${repository}`,
    kind: 'restic',
    repository,
    state,
    startedAt: iso(T0 + seq * 1000),
    endedAt: iso(T0 + seq * 1000 + 500),
    error: state === 'failed' ? { code: 'BACKEND_UNREACHABLE', message: 'down' } : null,
    snapshotId: state === 'succeeded' ? `snap${seq}` : null,
    summary:
      state === 'succeeded'
        ? { dataAdded: seq * 10, totalBytesProcessed: 100, totalFilesProcessed: 3, kept: 2 }
        : null,
    ...over,
  });

  /** Queues a job, runs it through the states a real one goes through, and ends it. */
  function run(
    operation: JobOperation,
    subject: { backup?: string; repository?: string },
    state: JobState,
    steps: JobStep[],
  ): Job {
    seq++;
    const job = store.create(
      {
        operation,
        backup: subject.backup ?? null,
        repository: subject.repository ?? null,
        trigger: 'api',
        priority: 0,
      },
      iso(T0 + seq * 1000 - 100),
    );
    if (state !== 'canceled') {
      Object.assign(job, { state: 'running', startedAt: iso(T0 + seq * 1000) });
      store.save(job);
      job.steps = steps.map((s) => ({ ...s, state: 'running', endedAt: null }));
      store.save(job);
    }
    Object.assign(job, { state, steps, endedAt: iso(T0 + seq * 1000 + 900) });
    store.save(job);
    // saving an ended job again (e.g. a retried save) does not count it twice
    store.save(job);
    return job;
  }

  function mix(): void {
    for (let i = 0; i < 3; i++) {
      run('backup', { backup: 'docs' }, 'succeeded', [
        restic('local', 'succeeded'),
        restic('nas', 'succeeded'),
      ]);
      run('backup', { backup: 'docs' }, 'failed', [
        restic('local', 'succeeded'),
        restic('nas', 'failed'),
      ]);
      run('backup', { backup: 'photos' }, i === 1 ? 'succeeded' : 'failed', [
        restic('nas', i === 1 ? 'succeeded' : 'failed'),
      ]);
      run('prune', { backup: 'docs' }, 'succeeded', [restic('local', 'succeeded')]);
      run('check', { repository: 'nas' }, i === 2 ? 'failed' : 'succeeded', [
        restic('nas', i === 2 ? 'failed' : 'succeeded'),
      ]);
      run('init', { repository: 'aws' }, 'failed', [restic('aws', 'failed')]);
      run('backup', { backup: 'photos' }, 'canceled', []);
      run('backup', { backup: 'docs' }, 'interrupted', [
        restic('local', 'succeeded'),
        restic('nas', 'interrupted'),
      ]);
    }
  }

  it('equal a full recomputation from the history after a mix of jobs', () => {
    mix();
    const kept = sorted(store.backupRecords());
    expect(kept).toEqual(sorted(RecordRows.recompute(database.db)));
    expect(kept.backup).toHaveLength(2);
    expect(kept.repository).toHaveLength(3);
    expect(kept.maintenance).toHaveLength(2);
    expect(kept.reachability).toHaveLength(3);
    // a new reader over the same file (a restart) reads the same
    expect(sorted(new JobStore(database).backupRecords())).toEqual(kept);
  });

  it('are not changed by history retention, which keeps the last success of each definition', async () => {
    mix();
    const before = sorted(store.backupRecords());
    const config = {
      dataDir: dir,
      jobs: { history: { keepDays: 365, keepCount: 2 } },
    } as unknown as HenConfig;
    clock.advance(DAY);
    const history = new JobHistory(new LiveConfig(config), database, clock);
    history.onApplicationBootstrap();
    await history.idle();
    history.onApplicationShutdown();
    expect(history.lastPass?.removed).toBeGreaterThan(10);
    expect(sorted(store.backupRecords())).toEqual(before);
    const left = store.list({}, 100).filter((j) => j.state === 'succeeded');
    expect(left.map((j) => `${j.operation} ${j.backup ?? j.repository}`).sort()).toEqual([
      'backup docs',
      'backup photos',
      'check nas',
      'prune docs',
    ]);
  });

  it('are computed once from the existing history when an older state file is upgraded', () => {
    mix();
    const expected = sorted(RecordRows.recompute(database.db));
    const lastSuccesses = database.db.prepare('SELECT * FROM last_successes ORDER BY job_id').all();
    database.db.exec(`DROP INDEX jobs_ended; DROP TABLE job_records; DROP TABLE last_successes;
                      PRAGMA user_version = 6;`);
    database.close();
    database = new StateDatabase({ dataDir: dir });
    expect(sorted(new JobStore(database).backupRecords())).toEqual(expected);
    expect(database.db.prepare('SELECT * FROM last_successes ORDER BY job_id').all()).toEqual(
      lastSuccesses,
    );
  });
});
