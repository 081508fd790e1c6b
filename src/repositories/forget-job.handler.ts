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

/** Forgets the snapshots an operator chose (forgetSnapshots), then prunes their data. */
@Injectable()
@JobHandlerProvider()
export class ForgetJobHandler implements JobHandler {
  readonly operation = 'forget' as const;

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
    const ids = context.job.params.snapshotIds as string[];
    const limits = combineLimits(this.config.current.limits, repository.limits);
    const target = this.repositories.target(name);
    await inRepositoryStep(
      context,
      name,
      async (step, onLog) => {
        const options = { signal: context.signal, limits, onLog, lockWait: lockWaitFor(step) };
        step.log('info', `forgetting ${ids.length} snapshots: ${ids.join(', ')}`);
        await this.restic.forgetSnapshots(target, ids, options);
        step.log('info', `forgot ${ids.length} snapshots; pruning their data`);
        await this.restic.prune(target, options);
        step.succeed({ summary: { removed: ids.length } });
      },
      { opener: this.opener, limits },
    );
  }
}
