import type { Clock } from '../common/clock';
import type { Job } from './job.types';

/** Progress is announced at most this often; a trailing announcement carries the latest values. */
export const PROGRESS_INTERVAL_MS = 500;
/**
 * restic 0.14 reports status only when its counters change, or once a second; once every file
 * is read and it only uploads (under a bandwidth limit, for a long while) even that can stretch
 * past a second. Without news for this long, the pacer restates a running job's progress with
 * its elapsed time from the daemon's clock, so that live views keep moving at least once a second.
 */
export const PROGRESS_HEARTBEAT_MS = 600;

interface Pacing {
  job: Job;
  /** when progress was last announced */
  last: number;
  /** a trailing announcement is due */
  cancel?: () => void;
  stopHeartbeat?: () => void;
  /** restic's own elapsed time at its last report, and when that was */
  reported: { at: number; secondsElapsed: number };
}

/**
 * Paces the progress a running job reports before it is saved and announced (`publish`). Jobs
 * are paced between start() and stop(); progress of any other job is published at once.
 */
export class ProgressPacer {
  private readonly running = new Set<number>();
  private readonly pacings = new Map<number, Pacing>();

  constructor(
    private readonly clock: Clock,
    private readonly publish: (job: Job) => void,
  ) {}

  start(jobId: number): void {
    this.running.add(jobId);
  }

  /** The job ended: nothing more is announced for it by the pacer. */
  stop(jobId: number): void {
    this.running.delete(jobId);
    const pacing = this.pacings.get(jobId);
    pacing?.cancel?.();
    pacing?.stopHeartbeat?.();
    this.pacings.delete(jobId);
  }

  report(job: Job): void {
    if (!this.running.has(job.id)) {
      this.publish(job);
      return;
    }
    const now = this.clock.now();
    const reported = { at: now, secondsElapsed: job.progress?.secondsElapsed ?? 0 };
    let pacing = this.pacings.get(job.id);
    if (!pacing) {
      const created: Pacing = { job, last: 0, reported };
      created.stopHeartbeat = this.clock.setInterval(
        () => this.heartbeat(created),
        PROGRESS_HEARTBEAT_MS / 4,
      );
      this.pacings.set(job.id, created);
      pacing = created;
    }
    pacing.job = job;
    pacing.reported = reported;
    if (pacing.cancel) return; // a trailing update is already due and will carry the latest values
    const wait = pacing.last + PROGRESS_INTERVAL_MS - now;
    if (wait <= 0) {
      pacing.last = now;
      this.publish(job);
      return;
    }
    const due = pacing;
    due.cancel = this.clock.setTimeout(() => {
      due.cancel = undefined;
      due.last = this.clock.now();
      this.publish(due.job);
    }, wait);
  }

  private heartbeat(pacing: Pacing): void {
    const now = this.clock.now();
    if (pacing.cancel || now - pacing.last < PROGRESS_HEARTBEAT_MS) return;
    const { job } = pacing;
    if (!job.progress) return;
    const { at, secondsElapsed } = pacing.reported;
    job.progress = {
      ...job.progress,
      secondsElapsed: Math.max(
        job.progress.secondsElapsed,
        Math.floor(secondsElapsed + (now - at) / 1000),
      ),
    };
    pacing.last = now;
    this.publish(job);
  }
}
