import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { CheckRequestedEvent } from '../common/events/job-requested.events';
import { PRIORITY, type Priority } from '../config/priority';
import { JobRunner } from '../jobs/job-runner.service';
import { answerJobRequest } from '../jobs/job-request-answer';
import type { Job, JobTrigger } from '../jobs/job.types';
import { RepositoriesService } from './repositories.service';

/** The ways to ask for work on a whole repository. */
@Injectable()
export class RepositoryJobsService {
  constructor(
    private readonly repositories: RepositoriesService,
    private readonly runner: JobRunner,
  ) {}

  requestCheck(name: string, trigger: JobTrigger, priority?: Priority): Job {
    const repository = this.repositories.get(name);
    return this.runner.enqueue({
      operation: 'check',
      repository: name,
      trigger,
      priority: priority ?? repository.check?.priority ?? PRIORITY.inferior,
    });
  }

  /** A schedule asks for a check. */
  @OnEvent(CheckRequestedEvent.event)
  onCheckRequested(event: CheckRequestedEvent): void {
    answerJobRequest(event, () => this.requestCheck(event.subject, event.trigger, event.priority));
  }

  /** `recreate`: also where a repository the daemon knew is gone (an admin's explicit choice). */
  requestInit(name: string, trigger: JobTrigger, recreate: boolean): Job {
    this.repositories.get(name);
    return this.runner.enqueue({
      operation: 'init',
      repository: name,
      trigger,
      priority: PRIORITY.next,
      ...(recreate ? { params: { recreate: true } } : {}),
    });
  }

  requestUnlock(name: string, trigger: JobTrigger, priority: Priority = PRIORITY.next): Job {
    this.repositories.get(name);
    return this.runner.enqueue({ operation: 'unlock', repository: name, trigger, priority });
  }
}
