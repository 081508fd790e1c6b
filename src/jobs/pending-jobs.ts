import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { PendingJobQuery } from '../common/events/pending-job.query';
import { JobRunner } from './job-runner.service';

/** Answers PendingJobQuery from the runner's waiting and running jobs. */
@Injectable()
export class PendingJobs {
  constructor(private readonly runner: JobRunner) {}

  @OnEvent(PendingJobQuery.event)
  answer(query: PendingJobQuery): void {
    const job = [...this.runner.runningJobs(), ...this.runner.queuedJobs()].find(
      (job) =>
        job.operation === query.operation &&
        (job.operation === 'check' ? job.repository : job.backup) === query.subject,
    );
    query.answer = job ? { jobId: job.id, state: job.state } : null;
  }
}
