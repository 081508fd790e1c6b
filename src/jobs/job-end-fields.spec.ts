import { jobEndFields } from './job-end-fields';
import type { Job, JobStep } from './job.types';

const step = (repository: string, summary: JobStep['summary']): JobStep => ({
  name: `repository ${repository}`,
  kind: 'restic',
  repository,
  state: 'succeeded',
  startedAt: null,
  endedAt: null,
  error: null,
  snapshotId: null,
  summary,
});

describe('jobEndFields', () => {
  const job: Job = {
    id: 3,
    operation: 'backup',
    backup: 'docs',
    repository: null,
    trigger: 'schedule',
    priority: 0,
    state: 'failed',
    queuedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    startedAt: '2026-01-01T00:00:01.000Z',
    endedAt: '2026-01-01T00:00:03.500Z',
    steps: [
      step('a', { dataAdded: 10, totalFilesProcessed: 2 }),
      { ...step('b', null), state: 'failed' },
      { ...step('hook', null), kind: 'hook', repository: null, name: 'after[0] command x' },
    ],
    progress: null,
    warnings: ['w'],
    error: { code: 'WRONG_PASSWORD', message: 'no' },
    snapshotIds: ['s'],
    params: {},
  };

  it('gives the fields a log pipeline needs, summed over the steps', () => {
    expect(jobEndFields(job)).toEqual({
      operation: 'backup',
      backup: 'docs',
      repository: null,
      repositories: ['a', 'b'],
      trigger: 'schedule',
      state: 'failed',
      errorCode: 'WRONG_PASSWORD',
      durationSeconds: 2.5,
      bytesAdded: 10,
      filesProcessed: 2,
      snapshots: 1,
      warnings: 1,
    });
  });

  it('names the only repository, and gives 0 s to a job that never started', () => {
    const fields = jobEndFields({ ...job, steps: [step('a', null)], startedAt: null });
    expect(fields).toMatchObject({ repository: 'a', durationSeconds: 0, bytesAdded: 0 });
  });
});
