import { Inject, Injectable } from '@nestjs/common';
import type { PubSubEngine } from 'graphql-subscriptions';
import { PUB_SUB } from '../common/graphql/pubsub.module';
import { ChannelBuffer, CLOSED, feedOf } from './channel-buffer';
import { everyJob, JobFeed, oneJob } from './job-feed';
import { JOB_LOG, JOB_UPDATED, type JobLogPayload, type JobUpdatedPayload } from './job-events';
import { JobRunner } from './job-runner.service';
import { JobStore } from './job-store';
import { hasEnded, type Job, type JobLogEntry } from './job.types';

/**
 * Lines read from the store at a time while replaying: what a replay holds while its client is
 * behind (200 stalled replays of 1 KB lines: +52 MB with 100, +150 MB with 500).
 */
const REPLAY_PAGE = 100;

/**
 * The events behind the jobUpdated and jobLogs subscriptions. Each feed listens to the live
 * events first, then reads the current state, then streams what is newer than what it sent:
 * whatever the race with a job's start or end, nothing is lost and nothing is sent twice.
 */
@Injectable()
export class JobFeeds {
  constructor(
    private readonly store: JobStore,
    private readonly runner: JobRunner,
    @Inject(PUB_SUB) private readonly pubSub: PubSubEngine,
  ) {}

  /**
   * The job's state as it is now (with live progress), then each change (of versions that
   * reach a subscriber together, it gets the newest unless a state change would be lost:
   * JobVersionConflation); ends after the last.
   */
  followJob(id: number, matches: (job: Job) => boolean): AsyncIterableIterator<JobUpdatedPayload> {
    const read = { found: false };
    const feed = new JobFeed(this.pubSub, oneJob(id, matches), () => {
      const job = this.runner.live(id) ?? this.store.get(id);
      read.found = Boolean(job);
      return job ? [job] : [];
    });
    // a job gone meanwhile (history retention): nothing to follow
    if (!read.found) void feed.return();
    return feed;
  }

  /**
   * Every job waiting or running now (running first, then the queue in order), then every change
   * of a job matching the filter (as followJob's); never ends. A change older than one already
   * sent is dropped.
   */
  followQueue(matches: (job: Job) => boolean): AsyncIterableIterator<JobUpdatedPayload> {
    return new JobFeed(this.pubSub, everyJob(matches), () => [
      ...this.runner.runningJobs(),
      ...this.runner.queuedJobs(),
    ]);
  }

  /**
   * The stored lines of the job after sequence number `afterSeq`, then new lines as they are
   * written; ends once the job has ended and its last line was sent.
   */
  followLogs(jobId: number, afterSeq: number): AsyncIterableIterator<JobLogPayload> {
    const buffer = new ChannelBuffer(this.pubSub, [JOB_LOG, JOB_UPDATED]);
    return feedOf(buffer, this.logLines(buffer, jobId, afterSeq));
  }

  private async *logLines(
    buffer: ChannelBuffer,
    jobId: number,
    afterSeq: number,
  ): AsyncGenerator<JobLogPayload> {
    let last = afterSeq;
    // Reads what the store has after `last`; the store is written before a line is announced.
    const stored = function* (this: JobFeeds): Generator<JobLogEntry> {
      for (;;) {
        const page = this.store.logs(jobId, {
          size: REPLAY_PAGE,
          fromEnd: false,
          after: last,
          count: false,
        });
        for (const entry of page.items) yield entry;
        if (!page.hasNextPage || !page.items.length) return;
      }
    }.bind(this);
    try {
      for (const entry of stored()) {
        last = entry.seq;
        yield { jobLogs: entry };
      }
      // A job's end is stored, and its last line written, in one go: once the store says it
      // ended, what is stored is all there is.
      const job = this.store.get(jobId);
      if (!job || hasEnded(job)) {
        for (const entry of stored()) {
          last = entry.seq;
          yield { jobLogs: entry };
        }
        return;
      }
      for (;;) {
        const event = await buffer.next();
        if (event === CLOSED) return;
        if (event.channel === JOB_LOG) {
          const entry = (event.payload as JobLogPayload).jobLogs;
          if (entry.jobId !== jobId || entry.seq <= last) continue;
          last = entry.seq;
          yield { jobLogs: entry };
        } else {
          const update = (event.payload as JobUpdatedPayload).jobUpdated;
          if (update.id !== jobId || !hasEnded(update)) continue;
          // The last lines were written right after the end was announced; they are stored now.
          for (const entry of stored()) {
            last = entry.seq;
            yield { jobLogs: entry };
          }
          return;
        }
      }
    } finally {
      buffer.close();
    }
  }
}
