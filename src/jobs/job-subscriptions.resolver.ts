import { Args, Resolver, Subscription } from '@nestjs/graphql';
import { badUserInput, notFound } from '../common/graphql/api-errors';
import { intCursorDecoder } from '../common/graphql/connection';
import { JobFeeds } from './job-feeds';
import { parseJobId } from './job-id';
import { jobMatches } from './job-pages';
import { JobStore } from './job-store';
import type { Job } from './job.types';
import { JobLogEntryModel } from './models/job-log-entry.model';
import { JobModel } from './models/job.model';
import { JobFilterArgs, JobLogsArgs } from './dto/jobs.args';

const decodeLogCursor = intCursorDecoder('log');

/** A log position: a cursor of `Job.logs`, or a plain sequence number. */
export function parseLogPosition(after: string | undefined | null): number {
  if (after === undefined || after === null || after === '') return 0;
  if (/^\d{1,15}$/.test(after)) return Number(after);
  try {
    return decodeLogCursor(after, 'after');
  } catch {
    throw badUserInput('after is neither a log cursor nor a sequence number');
  }
}

@Resolver(() => JobModel)
export class JobSubscriptionsResolver {
  constructor(
    private readonly feeds: JobFeeds,
    private readonly store: JobStore,
  ) {}

  @Subscription(() => JobModel, {
    description:
      'Jobs as they change. With `filter.id`: that job’s current state first, then each change, ' +
      'and the subscription completes after its final state (at once for a job that already ' +
      'ended). Without an id: every job waiting or running now (running first, then the queue ' +
      'in order), then every change of a matching job, queued ones included; it never completes. ' +
      'Each event is a whole job: a dashboard keeps the latest by id (compare updatedAt). ' +
      'Versions that reach a subscriber together (made in the same instant, or while its ' +
      'connection was behind) come as the newest of them, except that every change of state ' +
      '(QUEUED, RUNNING, the final one) is sent, in order.',
  })
  jobUpdated(@Args() { filter }: JobFilterArgs) {
    const matches = (job: Job) => jobMatches(job, filter);
    if (filter?.id === undefined || filter.id === null) return this.feeds.followQueue(matches);
    const id = parseJobId(filter.id);
    if (!this.store.get(id)) throw notFound(`no job with id ${filter.id.slice(0, 60)}`);
    return this.feeds.followJob(id, matches);
  }

  @Subscription(() => JobLogEntryModel, {
    description:
      'The log of one job: the stored lines after `after` (all of them without it), then new ' +
      'lines as they are written, in sequence order, each once; completes when the job has ended ' +
      'and its last line was sent. To resume after a dropped connection, subscribe again with ' +
      'the last `seq` received.',
  })
  jobLogs(@Args() { jobId, after }: JobLogsArgs) {
    const id = parseJobId(jobId);
    const afterSeq = parseLogPosition(after);
    if (!this.store.get(id)) throw notFound(`no job with id ${jobId.slice(0, 60)}`);
    return this.feeds.followLogs(id, afterSeq);
  }
}
