import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { LiveConfig } from '../config/live-config';
import { PRIORITY } from '../config/priority';
import { JobEvents } from '../jobs/job-events';
import { JobRunner } from '../jobs/job-runner.service';
import type { Job, JobTrigger } from '../jobs/job.types';
import { SnapshotIndexService } from './snapshot-index.service';

/** Jobs whose end changes which snapshots a repository holds. */
const CHANGING = new Set(['backup', 'forget', 'prune']);

/**
 * Keeps the index ahead of need. Once a repository is open (its init job at startup, after a
 * reload or a retry succeeded), its snapshots are compared with the index (one `restic
 * snapshots`, outside the queue) and, when some are not indexed yet (made elsewhere, or before
 * the daemon ran) or are gone, an on-idle `index` job is queued; so it is, at once, for each
 * repository a backup, forget or prune has just changed. The queue merges identical requests.
 */
@Injectable()
export class IndexFollowUp implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SnapshotIndex');
  private stop?: () => void;

  constructor(
    private readonly config: LiveConfig,
    private readonly runner: JobRunner,
    private readonly events: JobEvents,
    private readonly index: SnapshotIndexService,
  ) {}

  onApplicationBootstrap(): void {
    this.stop = this.events.onFinished((job) => this.jobEnded(job));
  }

  onModuleDestroy(): void {
    this.stop?.();
  }

  private jobEnded(job: Job): void {
    if (job.operation === 'init' && job.state === 'succeeded' && job.repository) {
      void this.catchUp(job.repository, job.trigger);
      return;
    }
    if (!CHANGING.has(job.operation)) return;
    if (job.operation === 'backup' && job.snapshotIds.length === 0) return;
    const repositories = new Set<string>();
    if (job.repository) repositories.add(job.repository);
    for (const step of job.steps) if (step.repository) repositories.add(step.repository);
    for (const repository of repositories) this.request(repository, 'follow-up');
  }

  private async catchUp(repository: string, trigger: JobTrigger): Promise<void> {
    try {
      if (await this.index.behind(repository)) this.request(repository, trigger);
    } catch (error) {
      this.logger.warn({
        msg: `snapshot index: could not compare repository "${repository}" with the index: ${(error as Error).message}`,
        repository,
      });
    }
  }

  private request(repository: string, trigger: JobTrigger): void {
    if (!this.config.current.repositories[repository]) return;
    this.runner.enqueue({ operation: 'index', repository, trigger, priority: PRIORITY['on-idle'] });
  }
}
