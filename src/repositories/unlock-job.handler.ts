import { Injectable, OnModuleInit } from '@nestjs/common';
import type { JobContext } from '../jobs/job-context';
import type { JobHandler } from '../jobs/job-handler';
import { JobHandlers } from '../jobs/job-handlers';
import { repositoryLock } from '../jobs/job-locks';
import type { Job } from '../jobs/job.types';
import { ResticService } from '../restic/restic.service';
import { RepositoriesService } from './repositories.service';
import { inRepositoryStep } from './repository-step';

/** Removes stale locks; holding the repository alone means no job of ours is using it. */
@Injectable()
export class UnlockJobHandler implements JobHandler, OnModuleInit {
  readonly operation = 'unlock' as const;

  constructor(
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
    await inRepositoryStep(context, name, (_step, onLog) =>
      this.restic.unlock(this.repositories.target(name), { signal: context.signal, onLog }),
    );
  }
}
