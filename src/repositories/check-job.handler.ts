import { Injectable } from '@nestjs/common';
import { LiveConfig } from '../config/live-config';
import { combineLimits } from '../config/limits';
import type { JobContext } from '../jobs/job-context';
import { type JobHandler, JobHandlerProvider } from '../jobs/job-handler';
import { exclusiveRepositoryLock } from '../jobs/job-locks';
import { ResticService } from './restic.service';
import { RepositoriesService } from './repositories.service';
import { RepositoryOpener } from './repository-opener';
import { inRepositoryStep, lockWaitFor } from './repository-step';

/** `restic check`, reading the configured subset of the data; its findings land in the job log. */
@Injectable()
@JobHandlerProvider()
export class CheckJobHandler implements JobHandler {
  readonly operation = 'check' as const;

  constructor(
    private readonly config: LiveConfig,
    private readonly repositories: RepositoriesService,
    private readonly restic: ResticService,
    private readonly opener: RepositoryOpener,
  ) {}

  readonly locks = exclusiveRepositoryLock;

  async run(context: JobContext): Promise<void> {
    const name = context.job.repository!;
    const repository = this.repositories.get(name);
    const subset = repository.check?.readDataSubset;
    await inRepositoryStep(
      context,
      name,
      async (step, onLog) => {
        await this.restic.check(this.repositories.target(name), subset, {
          signal: context.signal,
          limits: combineLimits(this.config.current.limits, repository.limits),
          onLog,
          lockWait: lockWaitFor(step),
        });
        step.log('info', `no errors found${subset ? ` (read ${subset} of the data)` : ''}`);
      },
      { opener: this.opener, limits: combineLimits(this.config.current.limits, repository.limits) },
    );
  }
}
