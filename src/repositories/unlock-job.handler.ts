import { Injectable } from '@nestjs/common';
import type { JobContext } from '../jobs/job-context';
import { type JobHandler, JobHandlerProvider } from '../jobs/job-handler';
import { ResticService } from './restic.service';
import { RepositoriesService } from './repositories.service';
import { inRepositoryStep } from './repository-step';

/**
 * Removes stale locks: those restic itself calls stale (made on this host by a process that is
 * gone). A live lock is never touched, so this needs neither the repository alone nor a free slot,
 * and never waits behind a job that is itself waiting for the repository's lock.
 */
@Injectable()
@JobHandlerProvider()
export class UnlockJobHandler implements JobHandler {
  readonly operation = 'unlock' as const;

  constructor(
    private readonly repositories: RepositoriesService,
    private readonly restic: ResticService,
  ) {}

  readonly locks = () => [];
  readonly takesNoSlot = true;

  async run(context: JobContext): Promise<void> {
    const name = context.job.repository!;
    await inRepositoryStep(context, name, (_step, onLog) =>
      this.restic.unlock(this.repositories.target(name), { signal: context.signal, onLog }),
    );
  }
}
