import { Injectable } from '@nestjs/common';
import type { JobContext } from '../jobs/job-context';
import { type JobHandler, JobHandlerProvider } from '../jobs/job-handler';
import { exclusiveRepositoryLock } from '../jobs/job-locks';
import { ResticService } from '../restic/restic.service';
import { RepositoriesService } from './repositories.service';
import { inRepositoryStep } from './repository-step';

/** Removes stale locks; holding the repository alone means no job of ours is using it. */
@Injectable()
@JobHandlerProvider()
export class UnlockJobHandler implements JobHandler {
  readonly operation = 'unlock' as const;

  constructor(
    private readonly repositories: RepositoriesService,
    private readonly restic: ResticService,
  ) {}

  readonly locks = exclusiveRepositoryLock;

  async run(context: JobContext): Promise<void> {
    const name = context.job.repository!;
    await inRepositoryStep(context, name, (_step, onLog) =>
      this.restic.unlock(this.repositories.target(name), { signal: context.signal, onLog }),
    );
  }
}
