import { RequireRole } from '../api/auth/require-role.decorator';
import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { connectionOf, decodeIntCursor, encodeCursor, PageArgs, pageSize } from '../api/connection';
import { badUserInput, conflict, notFound } from '../api/graphql-errors';
import { JobConflictError, JobNotFoundError, JobRunner } from './job-runner.service';
import { JobStore } from './job-store';
import { JobConnection, JobFilterInput, JobLogConnection, JobModel } from './job.model';
import type { Job } from './job.types';

export function parseJobId(id: string): number {
  if (!/^\d{1,15}$/.test(id)) throw badUserInput(`"${id.slice(0, 40)}" is not a job id`);
  return Number(id);
}

export function jobMatches(job: Job, filter: JobFilterInput | undefined): boolean {
  if (!filter) return true;
  if (filter.id !== undefined && String(job.id) !== filter.id) return false;
  if (filter.states?.length && !filter.states.includes(job.state)) return false;
  if (filter.operations?.length && !filter.operations.includes(job.operation)) return false;
  if (filter.triggers?.length && !filter.triggers.includes(job.trigger)) return false;
  if (filter.backup !== undefined && job.backup !== filter.backup) return false;
  if (filter.repository !== undefined && job.repository !== filter.repository) return false;
  return true;
}

@Resolver(() => JobModel)
export class JobsResolver {
  constructor(
    private readonly store: JobStore,
    private readonly runner: JobRunner,
  ) {}

  @Query(() => JobConnection, { description: 'jobs, newest first' })
  jobs(
    @Args() page: PageArgs,
    @Args('filter', { type: () => JobFilterInput, nullable: true }) filter?: JobFilterInput,
  ): JobConnection {
    const first = pageSize(page.first);
    const beforeId = decodeIntCursor('job', page.after);
    if (filter?.id !== undefined) {
      const job = this.store.get(parseJobId(filter.id));
      const nodes =
        job && jobMatches(job, filter) && (beforeId === undefined || job.id < beforeId)
          ? [job]
          : [];
      return connectionOf(nodes, false, (j) => encodeCursor('job', j.id));
    }
    const { jobs, hasMore } = this.store.list(filter ?? {}, first, beforeId);
    return connectionOf(jobs, hasMore, (j) => encodeCursor('job', j.id));
  }

  @Query(() => JobModel)
  job(@Args('id', { type: () => ID }) id: string): Job {
    const job = this.store.get(parseJobId(id));
    if (!job) throw notFound(`no job with id ${id}`);
    return job;
  }

  @ResolveField(() => JobLogConnection, { description: 'the job log, oldest first' })
  logs(
    @Parent() job: Job,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 500 }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): JobLogConnection {
    const afterSeq = decodeIntCursor('log', after);
    const { entries, hasMore } = this.store.logs(job.id, pageSize(first ?? 500), afterSeq ?? 0);
    return connectionOf(entries, hasMore, (e) => encodeCursor('log', e.seq));
  }

  @RequireRole('operator')
  @Mutation(() => JobModel, { description: 'cancel a waiting job, or abort a running one' })
  cancelJob(@Args('id', { type: () => ID }) id: string): Job {
    try {
      return this.runner.cancel(parseJobId(id));
    } catch (error) {
      if (error instanceof JobNotFoundError) throw notFound(error.message);
      if (error instanceof JobConflictError) throw conflict(error.message);
      throw error;
    }
  }
}
