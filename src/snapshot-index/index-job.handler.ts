import { Injectable } from '@nestjs/common';
import type { JobContext } from '../jobs/job-context';
import { type JobHandler, JobHandlerProvider } from '../jobs/job-handler';
import { repositoryLock, type ResourceLock } from '../jobs/job-locks';
import type { Job } from '../jobs/job.types';
import { inRepositoryStep } from '../repositories/repository-step';
import { SnapshotIndexService } from './snapshot-index.service';

/** One index file: index jobs run one at a time, whatever their repository. */
export const INDEX_LOCK: ResourceLock = { resource: 'snapshot-index', mode: 'exclusive' };

/**
 * The `index` job: drops what forgotten snapshots no longer reach, indexes the snapshots not yet
 * indexed (one streamed `restic ls` each, within the repository's limits), then keeps the index
 * under `index.maxSize`. It shares its repository as a backup does, so forget and prune wait for
 * it (and it for them).
 */
@Injectable()
@JobHandlerProvider()
export class IndexJobHandler implements JobHandler {
  readonly operation = 'index' as const;

  constructor(private readonly index: SnapshotIndexService) {}

  locks(job: Job): ResourceLock[] {
    return [repositoryLock(job.repository!, 'shared'), INDEX_LOCK];
  }

  async run(context: JobContext): Promise<void> {
    const repository = context.job.repository!;
    await inRepositoryStep(context, repository, async (step) => {
      const report = await this.index.sync(repository, {
        signal: context.signal,
        log: (message) => step.log('info', message),
      });
      step.succeed({ summary: { ...report } });
    });
  }
}
