import { Injectable } from '@nestjs/common';
import type { JobContext } from '../jobs/job-context';
import { type JobHandler, JobHandlerProvider } from '../jobs/job-handler';
import { exclusiveRepositoryLock } from '../jobs/job-locks';
import { RepositoryJobSteps } from './repository-job-steps';
import { RepositoryOpener } from './repository-opener';

/**
 * Opens a repository, creating it only when the daemon never saw one there (or, with the
 * `recreate` parameter an admin gives, when the one it knew is gone). Any other answer from
 * restic (a wrong password, an unreachable server) fails the job as itself.
 */
@Injectable()
@JobHandlerProvider()
export class InitJobHandler implements JobHandler {
  readonly operation = 'init' as const;

  constructor(
    private readonly steps: RepositoryJobSteps,
    private readonly opener: RepositoryOpener,
  ) {}

  readonly locks = exclusiveRepositoryLock;

  async run(context: JobContext): Promise<void> {
    const recreate = context.job.params.recreate === true;
    await this.steps.run(
      context,
      async ({ name, step, options }) => {
        const outcome = await this.opener.open(name, options, recreate ? 'recreate' : 'new');
        if (outcome === 'found') step.log('info', 'repository exists already');
        else if (recreate) step.log('warn', 'repository created again, empty (recreate)');
        else step.log('info', 'repository created');
      },
      { open: false },
    );
  }
}
