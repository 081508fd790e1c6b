import { PendingJobQuery } from '../common/events/pending-job.query';
import type { JobRunner } from './job-runner.service';
import type { Job } from './job.types';
import { PendingJobs } from './pending-jobs';

const job = (id: number, fields: Partial<Job>) =>
  ({ id, backup: null, repository: null, state: 'queued', ...fields }) as Job;

describe('PendingJobs', () => {
  const running = [job(1, { operation: 'backup', backup: 'pics', state: 'running' })];
  const queued = [
    job(2, { operation: 'prune', backup: 'docs' }),
    job(3, { operation: 'check', repository: 'offsite' }),
  ];
  const pending = new PendingJobs({
    runningJobs: () => running,
    queuedJobs: () => queued,
  } as unknown as JobRunner);
  const ask = (operation: string, subject: string) => {
    const query = new PendingJobQuery(operation, subject);
    pending.answer(query);
    return query.answer;
  };

  it('answers with the waiting or running job of an operation and subject', () => {
    expect(ask('backup', 'pics')).toEqual({ jobId: 1, state: 'running' });
    expect(ask('prune', 'docs')).toEqual({ jobId: 2, state: 'queued' });
    expect(ask('check', 'offsite')).toEqual({ jobId: 3, state: 'queued' });
  });

  it('answers null when none matches: a backup is not its prune, a check names a repository', () => {
    expect(ask('prune', 'pics')).toBeNull();
    expect(ask('backup', 'docs')).toBeNull();
    expect(ask('check', 'pics')).toBeNull();
  });
});
