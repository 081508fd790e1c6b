import type { HenConfig } from '../config/config.types';
import { isOnIdle } from '../config/priority';
import type { JobHandlers } from './job-handlers';
import type { ResourceLock } from './job-locks';
import { JobQueue } from './job-queue';
import { type Candidate, selectJobsToStart } from './job-selection';
import type { Job, JobRequest } from './job.types';

/**
 * The waiting side of the runner: the priority queue, merging a request with an identical
 * waiting job, which waiting jobs a reloaded configuration orphans, and which may start now.
 * It changes waiting jobs in memory only; the runner saves and announces.
 */
export class JobDispatcher {
  private readonly queue = new JobQueue();

  constructor(private readonly handlers: JobHandlers) {}

  add(job: Job): void {
    this.queue.add(job);
  }

  remove(id: number): Job | undefined {
    return this.queue.remove(id);
  }

  get(id: number): Job | undefined {
    return this.queue.get(id);
  }

  ordered(): Job[] {
    return this.queue.ordered();
  }

  get size(): number {
    return this.queue.size;
  }

  /**
   * The waiting job identical to `request`, if any, its priority raised to the request's when
   * that is higher (`raised`); undefined when the request is new work.
   */
  merge(request: JobRequest): { job: Job; raised: boolean } | undefined {
    const job = this.queue.findIdentical(request);
    if (!job) return undefined;
    if (request.priority <= job.priority) return { job, raised: false };
    job.priority = request.priority;
    return { job, raised: true };
  }

  /** Waiting jobs whose backup or repository `config` no longer has, with what is gone. */
  orphans(config: Pick<HenConfig, 'backups' | 'repositories'>): { job: Job; gone: string }[] {
    const orphans: { job: Job; gone: string }[] = [];
    for (const job of this.queue.ordered()) {
      const gone =
        job.backup !== null && !(job.backup in config.backups)
          ? `backup "${job.backup}"`
          : job.repository !== null && !(job.repository in config.repositories)
            ? `repository "${job.repository}"`
            : null;
      if (gone) orphans.push({ job, gone });
    }
    return orphans;
  }

  /** Whether a job that is not on-idle waits. */
  hasWork(): boolean {
    return this.queue.some((job) => !isOnIdle(job.priority));
  }

  /** Whether an on-idle job waits. */
  hasIdleWork(): boolean {
    return this.queue.some((job) => isOnIdle(job.priority));
  }

  /**
   * The waiting jobs that may start beside those holding `runningLocks`, in order; on-idle ones
   * only when `idleSettled` (see selectJobsToStart).
   */
  startable(
    runningLocks: readonly ResourceLock[][],
    concurrency: number,
    idleSettled = true,
  ): Candidate[] {
    const candidates = this.queue.ordered().map((job) => {
      const handler = this.handlers.get(job.operation);
      return { job, locks: handler.locks(job), takesNoSlot: handler.takesNoSlot };
    });
    return selectJobsToStart(candidates, runningLocks, concurrency, idleSettled);
  }
}
