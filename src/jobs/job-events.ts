import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { PubSubEngine } from 'graphql-subscriptions';
import { JobEndedEvent } from '../common/events/job-ended.event';
import { PUB_SUB } from '../common/graphql/pubsub.module';
import type { Job, JobLogEntry } from './job.types';

export const JOB_UPDATED = 'jobUpdated';
export const JOB_LOG = 'jobLog';

export interface JobUpdatedPayload {
  jobUpdated: Job;
}
export interface JobLogPayload {
  jobLogs: JobLogEntry;
}

type Listener = (job: Job) => void;

/**
 * Announces job changes: to GraphQL subscribers through PubSub, and to in-process listeners
 * (metrics and notifications), and as a JobEndedEvent through the event emitter (the schedule
 * trigger, which imports nothing from jobs). Callers persist before they announce.
 */
@Injectable()
export class JobEvents {
  private readonly logger = new Logger('JobEvents');
  private readonly finishedListeners = new Set<Listener>();
  private readonly updatedListeners = new Set<Listener>();
  private lastUpdate = Promise.resolve();

  constructor(
    @Inject(PUB_SUB) private readonly pubSub: PubSubEngine,
    // Nest injects the application's emitter; a test that builds the stack by hand may omit it.
    private readonly emitter: EventEmitter2 = new EventEmitter2(),
  ) {}

  updated(job: Job): void {
    // A copy, because delivery is asynchronous and the runner keeps mutating its job.
    this.lastUpdate = this.publish(JOB_UPDATED, { jobUpdated: structuredClone(job) });
    this.tell(this.updatedListeners, job, 'a job-updated listener failed');
  }

  /**
   * Resolves once every job version announced so far has been handed to its subscribers. The
   * last one is enough: a subscriber is handed the versions in the order they were published.
   */
  handedOver(): Promise<void> {
    return this.lastUpdate;
  }

  /** Every recorded change of a job (queued, started, progress, ended), in the order made. */
  onUpdated(listener: Listener): () => void {
    this.updatedListeners.add(listener);
    return () => this.updatedListeners.delete(listener);
  }

  finished(job: Job): void {
    this.tell(this.finishedListeners, job, 'a job-finished listener failed');
    const { id, operation, backup, repository, trigger, state, endedAt } = job;
    try {
      this.emitter.emit(
        JobEndedEvent.event,
        new JobEndedEvent({ id, operation, backup, repository, trigger, state, endedAt }),
      );
    } catch (error) {
      this.logger.error({ msg: 'a job-ended listener failed', error: String(error) });
    }
  }

  private tell(listeners: Set<Listener>, job: Job, failure: string): void {
    for (const listener of listeners) {
      try {
        listener(structuredClone(job));
      } catch (error) {
        this.logger.error({ msg: failure, error: String(error) });
      }
    }
  }

  onFinished(listener: Listener): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }

  log(entry: JobLogEntry): void {
    void this.publish(JOB_LOG, { jobLogs: entry });
  }

  /** Never rejects: a failed publication is logged, and counts as handed over. */
  private publish(channel: string, payload: JobUpdatedPayload | JobLogPayload): Promise<void> {
    return this.pubSub.publish(channel, payload).catch((error: unknown) => {
      this.logger.error({ msg: 'publishing a job event failed', channel, error: String(error) });
    });
  }
}
