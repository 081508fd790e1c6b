import { Injectable } from '@nestjs/common';
import { LiveConfig } from '../config/live-config';
import type { JobContext } from '../jobs/job-context';
import { JobFailure } from '../jobs/job-failure';
import { type JobHandler, JobHandlerProvider } from '../jobs/job-handler';
import { backupLock, repositoryLock, type ResourceLock } from '../jobs/job-locks';
import type { Job } from '../jobs/job.types';
import { RepositoriesService } from '../repositories/repositories.service';
import { RepositoryOpener } from '../repositories/repository-opener';
import { inEachRepository, lockWaitFor, repositoriesFailed } from '../repositories/repository-step';
import { backupTag } from '../snapshots/snapshots.service';
import { ResticService } from '../repositories/restic.service';
import { BackupsService } from './backups.service';
import { planRepositories } from './repository-plan';

/**
 * Retention for one backup definition, in each of its repositories: forget the snapshots its
 * policy does not keep (only this backup's, on this host), then prune unreferenced data. Without
 * a retention policy nothing is forgotten and only the prune runs.
 */
@Injectable()
@JobHandlerProvider()
export class PruneJobHandler implements JobHandler {
  readonly operation = 'prune' as const;

  constructor(
    private readonly config: LiveConfig,
    private readonly backups: BackupsService,
    private readonly repositories: RepositoriesService,
    private readonly restic: ResticService,
    private readonly opener: RepositoryOpener,
  ) {}

  locks(job: Job): ResourceLock[] {
    const definition = this.backups.find(job.backup!);
    return [
      backupLock(job.backup!),
      ...(definition?.repositories ?? []).map((name) => repositoryLock(name, 'exclusive')),
    ];
  }

  async run(context: JobContext): Promise<void> {
    const backup = this.backups.get(context.job.backup!);
    const plan = planRepositories(this.config.current, this.repositories, backup);
    const failures = await inEachRepository(
      context,
      plan,
      this.opener,
      async ({ target, host, limits }, step, onLog) => {
        const options = { signal: context.signal, limits, onLog, lockWait: lockWaitFor(step) };
        if (!backup.retention) {
          await this.restic.prune(target, options);
          step.log('info', 'no retention policy: pruned unreferenced data only');
          return;
        }
        const result = await this.restic.forget(
          target,
          { policy: backup.retention, host, tags: [backupTag(backup.name)], prune: true },
          options,
        );
        step.log(
          'info',
          `kept ${result.keep.length} snapshots: ${result.keep.join(', ') || 'none'}`,
        );
        step.log(
          'info',
          `removed ${result.remove.length} snapshots: ${result.remove.join(', ') || 'none'}`,
        );
        step.succeed({ summary: { kept: result.keep.length, removed: result.remove.length } });
      },
    );
    if (failures.length) {
      const code = failures.length === 1 ? failures[0].code : 'PRUNE_FAILED';
      throw new JobFailure(code, repositoriesFailed(failures, backup.repositories.length));
    }
  }
}
