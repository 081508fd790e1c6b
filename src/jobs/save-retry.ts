import { Logger } from '@nestjs/common';
import type { Clock } from '../common/clock';
import { StateDiskFullError } from '../state/state-disk-full';
import type { JobEvents } from './job-events';
import type { JobStore } from './job-store';
import type { Job } from './job.types';

/** How often job states that could not be saved (a full disk) are tried again. */
export const SAVE_RETRY_INTERVAL_MS = 10_000;

/**
 * Saves a job's state, then announces it (commit before announce), and keeps what could not be
 * saved: a save that fails (the state database's disk is full; StateDatabase logs that once) is
 * not announced and never throws into the job. The job goes on in memory; its latest state is
 * saved and announced by its next save or by the retry, every SAVE_RETRY_INTERVAL_MS, which calls
 * `retried` once everything held back is saved (the runner then starts what waited).
 */
export class SaveRetry {
  private readonly logger = new Logger('JobRunner');
  /** Jobs whose latest state could not be saved, by id. */
  private readonly unsaved = new Map<number, Job>();
  /** Ended jobs among them: their end is announced once it is saved. */
  private readonly unannouncedEnds = new Set<number>();
  private cancelRetry?: () => void;

  constructor(
    private readonly store: JobStore,
    private readonly events: JobEvents,
    private readonly clock: Clock,
    private readonly retried: () => void,
  ) {}

  /** Saves and announces `job`; false when it could not be saved (it is kept for the retry). */
  save(job: Job): boolean {
    job.updatedAt = new Date(this.clock.now()).toISOString();
    try {
      this.store.save(job);
    } catch (error) {
      if (!(error instanceof StateDiskFullError)) {
        this.logger.error({
          msg: `saving job ${job.id} failed`,
          jobId: job.id,
          error: String(error),
        });
      }
      this.unsaved.set(job.id, job);
      this.scheduleRetry();
      return false;
    }
    this.unsaved.delete(job.id);
    this.events.updated(job);
    return true;
  }

  /** Forgets a job's unsaved state (a start that could not be recorded and was undone). */
  drop(jobId: number): void {
    this.unsaved.delete(jobId);
  }

  /** Announces a job's end, or holds it back until its end is saved. */
  announceEnd(job: Job): void {
    if (this.unsaved.has(job.id)) {
      this.unannouncedEnds.add(job.id);
      return;
    }
    this.events.finished(job);
  }

  /**
   * A last try at shutdown. The canceled timer stays in the field, so a failing save here
   * schedules no new one (what still fails, startup recovery sorts out).
   */
  lastTry(): void {
    this.cancelRetry?.();
    this.retry();
  }

  private scheduleRetry(): void {
    if (this.cancelRetry) return;
    this.cancelRetry = this.clock.setTimeout(
      () => {
        this.cancelRetry = undefined;
        this.retry();
      },
      SAVE_RETRY_INTERVAL_MS,
      'jobs save retry',
    );
  }

  /** Saves what could not be saved, announcing ends held back, then tells `retried`. */
  private retry(): void {
    for (const job of [...this.unsaved.values()]) {
      if (!this.save(job)) return; // still failing; save scheduled the next try
      if (this.unannouncedEnds.delete(job.id)) this.events.finished(job);
    }
    this.retried();
  }
}
