import { Injectable } from '@nestjs/common';
import { LiveConfig } from '../config/live-config';
import { combineLimits } from '../config/limits';
import type { JobContext } from '../jobs/job-context';
import { type JobHandler, JobHandlerProvider } from '../jobs/job-handler';
import { exclusiveRepositoryLock } from '../jobs/job-locks';
import { RepositoriesService } from './repositories.service';
import { RepositoryOpener } from './repository-opener';
import { inRepositoryStep } from './repository-step';

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
    private readonly config: LiveConfig,
    private readonly repositories: RepositoriesService,
    private readonly opener: RepositoryOpener,
  ) {}

  readonly locks = exclusiveRepositoryLock;

  async run(context: JobContext): Promise<void> {
    const name = context.job.repository!;
    const repository = this.repositories.get(name);
    const recreate = context.job.params.recreate === true;
    await inRepositoryStep(context, name, async (step, onLog) => {
      const outcome = await this.opener.open(
        name,
        {
          signal: context.signal,
          limits: combineLimits(this.config.current.limits, repository.limits),
          onLog,
        },
        recreate ? 'recreate' : 'new',
      );
      if (outcome === 'found') step.log('info', 'repository exists already');
      else if (recreate) step.log('warn', 'repository created again, empty (recreate)');
      else step.log('info', 'repository created');
    });
  }
}
