import { Injectable } from '@nestjs/common';
import type { JobContext } from '../jobs/job-context';
import { type JobHandler, JobHandlerProvider } from '../jobs/job-handler';
import { exclusiveRepositoryLock } from '../jobs/job-locks';
import { ResticService } from './restic.service';
import { RepositoryJobSteps } from './repository-job-steps';

/** `restic check`, reading the configured subset of the data; its findings land in the job log. */
@Injectable()
@JobHandlerProvider()
export class CheckJobHandler implements JobHandler {
  readonly operation = 'check' as const;

  constructor(
    private readonly steps: RepositoryJobSteps,
    private readonly restic: ResticService,
  ) {}

  readonly locks = exclusiveRepositoryLock;

  async run(context: JobContext): Promise<void> {
    await this.steps.run(
      context,
      async ({ repository, target, step, options, lockWait }) => {
        const subset = repository.check?.readDataSubset;
        await this.restic.check(target, subset, { ...options, lockWait });
        step.log('info', `no errors found${subset ? ` (read ${subset} of the data)` : ''}`);
      },
      { open: true },
    );
  }
}
