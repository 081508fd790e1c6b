import { Injectable, OnModuleInit } from '@nestjs/common';
import { LiveConfig } from '../config/live-config';
import { combineLimits } from '../config/limits';
import type { JobContext } from '../jobs/job-context';
import type { JobHandler } from '../jobs/job-handler';
import { JobHandlers } from '../jobs/job-handlers';
import { repositoryLock } from '../jobs/job-locks';
import type { Job } from '../jobs/job.types';
import { ResticService } from '../restic/restic.service';
import { RepositoriesService } from './repositories.service';
import { inRepositoryStep, lockWaitFor } from './repository-step';

/** `restic check`, reading the configured subset of the data; its findings land in the job log. */
@Injectable()
export class CheckJobHandler implements JobHandler, OnModuleInit {
  readonly operation = 'check' as const;

  constructor(
    private readonly config: LiveConfig,
    private readonly handlers: JobHandlers,
    private readonly repositories: RepositoriesService,
    private readonly restic: ResticService,
  ) {}

  onModuleInit(): void {
    this.handlers.register(this);
  }

  locks(job: Job) {
    return [repositoryLock(job.repository!, 'exclusive')];
  }

  async run(context: JobContext): Promise<void> {
    const name = context.job.repository!;
    const repository = this.repositories.get(name);
    const subset = repository.check?.readDataSubset;
    await inRepositoryStep(context, name, async (step, onLog) => {
      await this.restic.check(this.repositories.target(name), subset, {
        signal: context.signal,
        limits: combineLimits(this.config.current.limits, repository.limits),
        onLog,
        lockWait: lockWaitFor(step),
      });
      step.log('info', `no errors found${subset ? ` (read ${subset} of the data)` : ''}`);
    });
  }
}
