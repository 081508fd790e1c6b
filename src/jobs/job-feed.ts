import type { PubSubEngine } from 'graphql-subscriptions';
import type { Pullable } from '../common/pullable';
import { JOB_UPDATED, type JobUpdatedPayload } from './job-events';
import { JobVersionConflation } from './job-version-conflation';
import { hasEnded, type Job } from './job.types';

type Result = IteratorResult<JobUpdatedPayload, undefined>;

const DONE: Result = Object.freeze({ done: true, value: undefined });

/** What a feed does with a version: leave it out, send it, send it and end, or just end. */
export type Verdict = 'skip' | 'send' | 'send-last' | 'end';

/** Which versions a feed sends, and when it ends; told of each version in the order published. */
export interface FeedRule {
  judge(job: Job): Verdict;
}

/**
 * The versions of jobs behind a jobUpdated subscription, as one async iterator.
 *
 * It listens before the current state is read (so nothing published meanwhile is lost: the rule
 * drops what is older than what was sent), queues what arrives until the subscriber takes it, and
 * lets a waiting version give way to a newer one when no state change is lost
 * (JobVersionConflation). It is written out by hand rather than as an async generator over a
 * buffer: with 2,000 dashboards following a job, each layer of promises between an event and the
 * socket cost every subscriber its own promises and garbage on every event. For the same reason
 * it hands versions over through `pull` too (Pullable), with no promise at all.
 */
export class JobFeed
  implements AsyncIterableIterator<JobUpdatedPayload>, Pullable<JobUpdatedPayload>
{
  private readonly waiting: Job[] = [];
  private readonly conflation = new JobVersionConflation();
  private taker?: (result: Result) => void;
  private handOverQueued = false;
  /** Set once the last version was queued, or the subscriber left. */
  private ended = false;
  private readonly subscription: Promise<number>;

  constructor(
    private readonly pubSub: PubSubEngine,
    private readonly rule: FeedRule,
    current: () => Job[],
  ) {
    // PacedPubSub registers the listener before subscribe() returns; its events come later
    this.subscription = pubSub.subscribe(
      JOB_UPDATED,
      (payload: JobUpdatedPayload) => this.offer(payload.jobUpdated),
      {},
    );
    try {
      for (const job of current()) this.offer(job);
    } catch (error) {
      // no iterator reaches the subscriber, so nothing else would ever stop the listening
      void this.return();
      throw error;
    }
  }

  next(): Promise<Result> {
    return new Promise((resolve) => this.pull(resolve));
  }

  pull(deliver: (result: Result) => void): void {
    const job = this.waiting.shift();
    if (job) deliver(this.resultOf(job));
    else if (this.ended) deliver(DONE);
    else this.taker = deliver;
  }

  return(): Promise<Result> {
    this.waiting.length = 0;
    this.end();
    return Promise.resolve(DONE);
  }

  throw(error: unknown): Promise<Result> {
    void this.return();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private offer(job: Job): void {
    if (this.ended) return;
    const verdict = this.rule.judge(job);
    if (verdict === 'skip') {
      // a final version the rule leaves out still ends what the conflation keeps of its job
      if (hasEnded(job)) this.conflation.forget(job.id);
      return;
    }
    if (verdict !== 'end') {
      this.conflation.place(this.waiting, job);
      // handed over once the versions published together (PacedPubSub hands them over at
      // once) are all placed, so that a newer one can still take an older one's place
      if (this.taker && !this.handOverQueued) {
        this.handOverQueued = true;
        queueMicrotask(this.handOver);
      }
    }
    if (verdict !== 'send') this.end();
  }

  private readonly handOver = (): void => {
    this.handOverQueued = false;
    const taker = this.taker;
    const job = this.waiting.shift();
    if (!taker || !job) {
      if (job) this.waiting.unshift(job);
      return;
    }
    this.taker = undefined;
    taker(this.resultOf(job));
  };

  private resultOf(job: Job): Result {
    return { done: false, value: { jobUpdated: job } };
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    // a last version still waiting is handed over first; next() then answers done
    if (!this.waiting.length) {
      const taker = this.taker;
      this.taker = undefined;
      taker?.(DONE);
    }
    void this.subscription.then((id) => {
      this.pubSub.unsubscribe(id);
    });
  }
}

/** Every job waiting or running, then every change of a job matching; never ends. */
export function everyJob(matches: (job: Job) => boolean): FeedRule {
  // when each job not yet ended was last sent
  const sentAt = new Map<number, string>();
  return {
    judge(job) {
      const previous = sentAt.get(job.id);
      if (previous !== undefined && job.updatedAt < previous) return 'skip';
      if (hasEnded(job)) sentAt.delete(job.id);
      else sentAt.set(job.id, job.updatedAt);
      return matches(job) ? 'send' : 'skip';
    },
  };
}

/** One job: its state now, then each change; ends after its final state. */
export function oneJob(id: number, matches: (job: Job) => boolean): FeedRule {
  let sentAt: string | undefined;
  return {
    judge(job) {
      if (job.id !== id || (sentAt !== undefined && job.updatedAt < sentAt)) return 'skip';
      sentAt = job.updatedAt;
      // the final state ends the feed, also when the filter leaves it out
      if (hasEnded(job)) return matches(job) ? 'send-last' : 'end';
      return matches(job) ? 'send' : 'skip';
    },
  };
}
