import type { Job, JobStep } from '../jobs/job.types';
import { BackupRecords, hookFailures, secondsBetween } from './backup-records';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function step(over: Partial<JobStep>): JobStep {
  return {
    name: `repository ${over.repository ?? 'local'}`,
    kind: 'restic',
    repository: 'local',
    state: 'succeeded',
    startedAt: at(0),
    endedAt: at(10),
    error: null,
    snapshotId: null,
    summary: null,
    ...over,
  };
}

let nextId = 1;
function job(over: Partial<Job>): Job {
  return {
    id: nextId++,
    operation: 'backup',
    backup: 'docs',
    repository: null,
    trigger: 'api',
    priority: 0,
    state: 'succeeded',
    queuedAt: at(0),
    updatedAt: at(0),
    startedAt: at(0),
    endedAt: at(10),
    steps: [],
    progress: null,
    warnings: [],
    error: null,
    snapshotIds: [],
    params: {},
    ...over,
  };
}

const summary = (dataAdded: number) => ({
  filesNew: 1,
  dataAdded,
  totalFilesProcessed: 7,
  totalBytesProcessed: 7000,
  durationSeconds: 4.5,
});

describe('BackupRecords', () => {
  it('records per backup and per repository the last success, the last failure and what restic reported', () => {
    const records = new BackupRecords();
    records.apply(
      job({
        queuedAt: at(-5),
        startedAt: at(0),
        endedAt: at(20),
        snapshotIds: ['a'],
        steps: [
          step({ repository: 'local', snapshotId: 'a', endedAt: at(8), summary: summary(100) }),
          step({
            repository: 'remote',
            state: 'failed',
            startedAt: at(8),
            endedAt: at(19),
            error: { code: 'WRONG_PASSWORD', message: 'no' },
          }),
        ],
        state: 'failed',
      }),
    );
    records.apply(
      job({
        queuedAt: at(100),
        startedAt: at(100),
        endedAt: at(130),
        steps: [
          step({ repository: 'local', snapshotId: 'b', endedAt: at(110), summary: summary(50) }),
          step({ repository: 'remote', snapshotId: 'c', endedAt: at(129), summary: summary(60) }),
        ],
      }),
    );

    expect(records.backup('docs')).toEqual({
      backup: 'docs',
      lastSuccessAt: T0 + 130_000,
      lastFailureAt: T0 + 20_000,
      lastDurationSeconds: 30,
      firstSeenAt: T0 - 5_000,
      consecutiveFailures: 0,
    });
    const byRepo = Object.fromEntries(records.repositoryRecords().map((r) => [r.repository, r]));
    expect(byRepo.local).toEqual({
      backup: 'docs',
      repository: 'local',
      lastSuccessAt: T0 + 110_000,
      lastFailureAt: null,
      lastDurationSeconds: 4.5,
      lastAddedBytes: 50,
      lastProcessedBytes: 7000,
      lastProcessedFiles: 7,
      snapshots: 2,
    });
    expect(byRepo.remote).toMatchObject({
      lastSuccessAt: T0 + 129_000,
      lastFailureAt: T0 + 19_000,
      lastAddedBytes: 60,
      snapshots: 1,
    });
  });

  it('counts snapshots from what the last prune kept, plus the backups since', () => {
    const records = new BackupRecords();
    for (let i = 0; i < 5; i++) {
      records.apply(job({ steps: [step({ snapshotId: `s${i}`, summary: summary(1) })] }));
    }
    const snapshots = () => records.repositoryRecords()[0].snapshots;
    expect(snapshots()).toBe(5);
    records.apply(job({ operation: 'prune', steps: [step({ summary: { kept: 3, removed: 2 } })] }));
    expect(snapshots()).toBe(3);
    // a failed prune or one without forget (no retention: no summary) changes nothing
    records.apply(
      job({
        operation: 'prune',
        state: 'failed',
        steps: [step({ state: 'failed', summary: null })],
      }),
    );
    records.apply(job({ operation: 'prune', steps: [step({ summary: null })] }));
    records.apply(job({ steps: [step({ snapshotId: 'new', summary: summary(1) })] }));
    expect(snapshots()).toBe(4);
  });

  it('ignores canceled and interrupted jobs for the last success and failure, and jobs of other operations', () => {
    const records = new BackupRecords();
    records.apply(job({ state: 'canceled', endedAt: at(50) }));
    records.apply(job({ state: 'interrupted', endedAt: at(60) }));
    records.apply(job({ operation: 'check', backup: null, repository: 'local' }));
    expect(records.backup('docs')).toMatchObject({ lastSuccessAt: null, lastFailureAt: null });
    expect(records.repositoryRecords()).toEqual([]);
  });

  it('takes the step wall time when restic reported no duration', () => {
    const records = new BackupRecords();
    records.apply(job({ steps: [step({ startedAt: at(1), endedAt: at(4), summary: {} })] }));
    expect(records.repositoryRecords()[0]).toMatchObject({
      lastDurationSeconds: 3,
      lastAddedBytes: null,
    });
  });
});

describe('BackupRecords maintenance', () => {
  it('records the last success and failure of prunes per backup and repository, and of checks per repository', () => {
    const records = new BackupRecords();
    records.apply(
      job({
        operation: 'prune',
        state: 'failed',
        steps: [
          step({ repository: 'a', endedAt: at(5), summary: { kept: 1, removed: 0 } }),
          step({ repository: 'b', state: 'failed', endedAt: at(9) }),
        ],
      }),
    );
    records.apply(
      job({
        operation: 'check',
        backup: null,
        repository: 'a',
        steps: [step({ repository: 'a', endedAt: at(20) })],
      }),
    );
    records.apply(
      job({
        operation: 'check',
        backup: null,
        repository: 'a',
        state: 'canceled',
        steps: [step({ repository: 'a', state: 'canceled', endedAt: at(30) })],
      }),
    );
    expect(records.maintenanceRecords()).toEqual([
      {
        operation: 'prune',
        backup: 'docs',
        repository: 'a',
        lastSuccessAt: T0 + 5_000,
        lastFailureAt: null,
      },
      {
        operation: 'prune',
        backup: 'docs',
        repository: 'b',
        lastSuccessAt: null,
        lastFailureAt: T0 + 9_000,
      },
      {
        operation: 'check',
        backup: '',
        repository: 'a',
        lastSuccessAt: T0 + 20_000,
        lastFailureAt: null,
      },
    ]);
  });
});

describe('hookFailures', () => {
  it('finds failed hook steps and ignored failures (a succeeded step with its warning)', () => {
    const hook = (name: string, state: JobStep['state']) =>
      step({ name, kind: 'hook', repository: null, state });
    const failures = hookFailures(
      job({
        steps: [
          hook('before[0] http POST http://h/dump', 'failed'),
          hook('before[1] command true', 'succeeded'),
          step({}),
          hook('after[0] command notify', 'succeeded'),
        ],
        warnings: ['local: snapshot saved but...', 'after[0] command notify: exit code 1'],
      }),
    );
    expect(failures).toEqual([
      { stage: 'before', ignored: false },
      { stage: 'after', ignored: true },
    ]);
  });
});

describe('secondsBetween', () => {
  it('is null without both ends and never negative', () => {
    expect(secondsBetween(null, at(1))).toBeNull();
    expect(secondsBetween(at(3), at(1))).toBe(0);
    expect(secondsBetween(at(1), at(3.5))).toBe(2.5);
  });
});
