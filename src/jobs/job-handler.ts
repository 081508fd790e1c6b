import { DiscoveryService } from '@nestjs/core';
import type { JobContext } from './job-context';
import type { ResourceLock } from './job-locks';
import type { Job, JobOperation } from './job.types';

/**
 * How one operation runs. Domain modules (backups, repositories) mark their handlers with
 * @JobHandlerProvider() and JobHandlers finds them, so the jobs module knows how to schedule work
 * without knowing what the work is.
 */
export interface JobHandler {
  readonly operation: JobOperation;
  locks(job: Job): ResourceLock[];
  /** Throws to fail the job; a step marked failed without a throw fails it too. */
  run(context: JobContext): Promise<void>;
  /**
   * A short job that may run beside the others even when every slot is taken (as `immediate`
   * ones do): stale-lock removal, which must never wait behind a job that waits for that lock.
   */
  readonly takesNoSlot?: boolean;
  /** Overrides `jobs.maxDuration` for this job. */
  maxDurationMs?(job: Job): number | undefined;
}

/** Marks a provider that implements JobHandler, for JobHandlers to find at startup. */
export const JobHandlerProvider = DiscoveryService.createDecorator<void>();
