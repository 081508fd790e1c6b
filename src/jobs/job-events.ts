import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PubSub } from 'graphql-subscriptions';
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
 * (triggers that need to know when a job ended). Callers persist before they announce.
 */
@Injectable()
export class JobEvents {
  private readonly logger = new Logger('JobEvents');
  private readonly finishedListeners = new Set<Listener>();

  constructor(@Inject(PUB_SUB) private readonly pubSub: PubSub) {}

  updated(job: Job): void {
    // A copy, because delivery is asynchronous and the runner keeps mutating its job.
    this.publish(JOB_UPDATED, { jobUpdated: structuredClone(job) });
  }

  finished(job: Job): void {
    for (const listener of this.finishedListeners) {
      try {
        listener(structuredClone(job));
      } catch (error) {
        this.logger.error({ msg: 'a job-finished listener failed', error: String(error) });
      }
    }
  }

  onFinished(listener: Listener): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }

  log(entry: JobLogEntry): void {
    this.publish(JOB_LOG, { jobLogs: entry });
  }

  private publish(channel: string, payload: JobUpdatedPayload | JobLogPayload): void {
    this.pubSub.publish(channel, payload).catch((error: unknown) => {
      this.logger.error({ msg: 'publishing a job event failed', channel, error: String(error) });
    });
  }
}
