import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { LiveConfig } from '../config/live-config';
import { PRIORITY } from '../config/priority';
import { JobEvents } from '../jobs/job-events';
import { JobRunner } from '../jobs/job-runner.service';
import type { Job, JobTrigger } from '../jobs/job.types';

/** Jobs whose end changes which snapshots a repository holds. */
const CHANGING = new Set(['backup', 'forget', 'prune']);

/**
 * Keeps the index ahead of need: at startup every repository gets an on-idle `index` job (which
 * indexes the snapshots made elsewhere or before the daemon ran), and so does each repository a
 * backup, forget or prune has just changed. Identical waiting requests are merged by the queue.
 */
@Injectable()
export class IndexFollowUp implements OnApplicationBootstrap, OnModuleDestroy {
  private stop?: () => void;

  constructor(
    private readonly config: LiveConfig,
    private readonly runner: JobRunner,
    private readonly events: JobEvents,
  ) {}

  onApplicationBootstrap(): void {
    this.stop = this.events.onFinished((job) => this.jobEnded(job));
    for (const repository of Object.keys(this.config.current.repositories)) {
      this.request(repository, 'startup');
    }
  }

  onModuleDestroy(): void {
    this.stop?.();
  }

  private jobEnded(job: Job): void {
    if (!CHANGING.has(job.operation)) return;
    if (job.operation === 'backup' && job.snapshotIds.length === 0) return;
    const repositories = new Set<string>();
    if (job.repository) repositories.add(job.repository);
    for (const step of job.steps) if (step.repository) repositories.add(step.repository);
    for (const repository of repositories) this.request(repository, 'follow-up');
  }

  private request(repository: string, trigger: JobTrigger): void {
    if (!this.config.current.repositories[repository]) return;
    this.runner.enqueue({ operation: 'index', repository, trigger, priority: PRIORITY['on-idle'] });
  }
}
