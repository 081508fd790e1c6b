import { Injectable } from '@nestjs/common';
import { LiveConfig } from '../config/live-config';
import { combineLimits } from '../config/limits';
import type { JobContext } from '../jobs/job-context';
import { type JobHandler, JobHandlerProvider } from '../jobs/job-handler';
import { exclusiveRepositoryLock } from '../jobs/job-locks';
import { ResticService } from '../restic/restic.service';
import { RepositoriesService } from './repositories.service';
import { inRepositoryStep } from './repository-step';

/**
 * Creates a repository only when it does not exist yet. Any other answer from restic (a wrong
 * password, an unreachable server) fails the job as itself, never as "already initialised".
 */
@Injectable()
@JobHandlerProvider()
export class InitJobHandler implements JobHandler {
  readonly operation = 'init' as const;

  constructor(
    private readonly config: LiveConfig,
    private readonly repositories: RepositoriesService,
    private readonly restic: ResticService,
  ) {}

  readonly locks = exclusiveRepositoryLock;

  async run(context: JobContext): Promise<void> {
    const name = context.job.repository!;
    const repository = this.repositories.get(name);
    const target = this.repositories.target(name);
    await inRepositoryStep(context, name, async (step, onLog) => {
      const options = {
        signal: context.signal,
        limits: combineLimits(this.config.current.limits, repository.limits),
        onLog,
      };
      if (await this.restic.repositoryExists(target, options)) {
        step.log('info', 'repository exists already');
      } else {
        await this.restic.init(target, options);
        step.log('info', 'repository created');
      }
    });
  }
}
