import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../common/clock';
import { LiveConfig } from '../config/live-config';
import { JobEvents } from '../jobs/job-events';
import type { Job, JobState } from '../jobs/job.types';
import { FINISHED_STATES } from '../jobs/job.types';
import { blankEvent, jobEvent, jobEventName } from './notification-event';
import { NotificationOutbox } from './notification-outbox.service';

/** restic could not reach the repository's storage (see restic-error.ts). */
const UNREACHABLE = 'BACKEND_UNREACHABLE';
/** A check that ran to its end and failed found something wrong in the repository. */
const CHECK_DAMAGE = 'RESTIC_FAILED';

/**
 * Turns job changes into notifications: one per state a job reaches (queued, started, and how it
 * ended), a repository becoming unreachable or reachable again (from the restic steps of finished
 * jobs), and a check that found damage. Progress updates are not news.
 */
@Injectable()
export class JobNotifier implements OnModuleDestroy {
  private readonly lastState = new Map<number, JobState>();
  /** repositories whose last restic step could not reach them */
  private readonly unreachable = new Set<string>();
  private readonly stopListening: () => void;

  constructor(
    events: JobEvents,
    private readonly outbox: NotificationOutbox,
    private readonly config: LiveConfig,
    private readonly clock: Clock,
  ) {
    this.stopListening = events.onUpdated((job) => this.updated(job));
  }

  onModuleDestroy(): void {
    this.stopListening();
  }

  private updated(job: Job): void {
    if (this.lastState.get(job.id) === job.state) return;
    const finished = FINISHED_STATES.includes(job.state);
    if (finished) this.lastState.delete(job.id);
    else this.lastState.set(job.id, job.state);
    const name = jobEventName(job);
    const host = this.config.current.hostname;
    const time = new Date(this.clock.now()).toISOString();
    if (name) this.outbox.publish(jobEvent(name, job, host, time));
    if (!finished) return;
    if (job.operation === 'check' && job.state === 'failed' && job.error?.code === CHECK_DAMAGE) {
      this.outbox.publish({
        ...jobEvent('check.damage', job, host, time),
        summary: `check of ${job.repository} (job ${job.id}) found damage: ${job.error.message}`,
      });
    }
    this.followReachability(job, host, time);
  }

  private followReachability(job: Job, host: string, time: string): void {
    const seen = new Map<string, boolean>();
    for (const step of job.steps) {
      if (step.kind !== 'restic' || !step.repository) continue;
      if (step.state === 'succeeded') seen.set(step.repository, true);
      else if (step.state === 'failed') {
        seen.set(step.repository, step.error?.code !== UNREACHABLE);
      }
    }
    if (job.repository && job.error?.code === UNREACHABLE) seen.set(job.repository, false);
    for (const [repository, reachable] of seen) {
      const was = !this.unreachable.has(repository);
      if (reachable === was) continue;
      if (reachable) this.unreachable.delete(repository);
      else this.unreachable.add(repository);
      const name = reachable ? 'repository.reachable' : 'repository.unreachable';
      const failure = job.steps.find((s) => s.repository === repository && s.error)?.error;
      this.outbox.publish({
        ...blankEvent(
          name,
          host,
          time,
          reachable
            ? `repository ${repository} is reachable again`
            : `repository ${repository} is unreachable${failure ? `: ${failure.message}` : ''}`,
        ),
        repository,
        jobId: job.id,
        operation: job.operation,
        backup: job.backup,
        errorCode: reachable ? null : UNREACHABLE,
        errorMessage: reachable ? null : (failure?.message ?? null),
      });
    }
  }
}
