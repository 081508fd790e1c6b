import { repositoryLock } from './job-locks';
import { selectJobsToStart } from './job-selection';
import type { Job } from './job.types';

const job = (id: number, priority = 0) => ({ id, priority }) as Job;

describe('selectJobsToStart', () => {
  it('starts a job that takes no slot while every slot is busy, ahead of a waiting one', () => {
    const waitingCheck = { job: job(2), locks: [repositoryLock('r', 'exclusive')] };
    const unlock = { job: job(3), locks: [], takesNoSlot: true };
    const running = [[repositoryLock('r', 'exclusive')]];
    expect(selectJobsToStart([waitingCheck, unlock], running, 1).map((c) => c.job.id)).toEqual([3]);
    expect(selectJobsToStart([waitingCheck], running, 1)).toEqual([]);
  });
});
