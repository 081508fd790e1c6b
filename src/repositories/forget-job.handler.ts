import { Injectable } from '@nestjs/common';
import type { JobContext } from '../jobs/job-context';
import { type JobHandler, JobHandlerProvider } from '../jobs/job-handler';
import { exclusiveRepositoryLock } from '../jobs/job-locks';
import { ResticService } from './restic.service';
import { RepositoryJobSteps } from './repository-job-steps';

/** Forgets the snapshots an operator chose (forgetSnapshots), then prunes their data. */
@Injectable()
@JobHandlerProvider()
export class ForgetJobHandler implements JobHandler {
  readonly operation = 'forget' as const;

  constructor(
    private readonly steps: RepositoryJobSteps,
    private readonly restic: ResticService,
  ) {}

  readonly locks = exclusiveRepositoryLock;

  async run(context: JobContext): Promise<void> {
    const ids = context.job.params.snapshotIds as string[];
    await this.steps.run(
      context,
      async ({ target, step, options, lockWait }) => {
        step.log('info', `forgetting ${ids.length} snapshots: ${ids.join(', ')}`);
        await this.restic.forgetSnapshots(target, ids, { ...options, lockWait });
        step.log('info', `forgot ${ids.length} snapshots; pruning their data`);
        await this.restic.prune(target, { ...options, lockWait });
        step.succeed({ summary: { removed: ids.length } });
      },
      { open: true },
    );
  }
}
