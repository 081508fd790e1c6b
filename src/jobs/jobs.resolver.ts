import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../common/auth/require-role.decorator';
import { notFound } from '../common/graphql/api-errors';
import { PageArgs, type ConnectionShape } from '../common/graphql/connection';
import { globalId } from '../common/graphql/global-id';
import { parseJobId } from './job-id';
import { JobPages, toStepModel } from './job-pages';
import { JobRunner } from './job-runner.service';
import { JobStore } from './job-store';
import type { Job, JobLogEntry } from './job.types';
import { JobLogEntryModel } from './models/job-log-entry.model';
import { JobStepModel } from './models/job-step.model';
import { JobConnection, JobLogConnection, JobModel } from './models/job.model';
import { JobErrorModel } from './models/job-error.model';
import { knownJobErrorCode } from './job-error-codes';
import { CancelJobArgs, JobFilterArgs, JobIdArgs } from './dto/jobs.args';

@Resolver(() => JobModel)
export class JobsResolver {
  constructor(
    private readonly store: JobStore,
    private readonly pages: JobPages,
    private readonly runner: JobRunner,
  ) {}

  @Query(() => JobConnection, { nullable: true, description: 'jobs, newest first' })
  jobs(@Args() page: PageArgs, @Args() { filter }: JobFilterArgs): ConnectionShape<Job> {
    return this.pages.jobs(page, filter ?? {});
  }

  @Query(() => JobModel, { nullable: true, description: 'one job by its id; null when unknown' })
  job(@Args() { id }: JobIdArgs): Job {
    const job = this.store.get(parseJobId(id));
    if (!job) throw notFound(`no job with id ${id.slice(0, 60)}`);
    return job;
  }

  @ResolveField(() => ID)
  id(@Parent() job: Job): string {
    return globalId('Job', job.id);
  }

  @ResolveField(() => Int)
  number(@Parent() job: Job): number {
    return job.id;
  }

  @ResolveField(() => String, { nullable: true })
  backupName(@Parent() job: Job): string | null {
    return job.backup;
  }

  @ResolveField(() => String, { nullable: true })
  repositoryName(@Parent() job: Job): string | null {
    return job.repository;
  }

  @ResolveField(() => [JobStepModel], { description: 'its parts, in the order they run' })
  steps(@Parent() job: Job): JobStepModel[] {
    return job.steps.map((step, index) => toStepModel(job.id, step, index));
  }

  @ResolveField(() => JobErrorModel, { nullable: true })
  error(@Parent() job: Job): JobErrorModel | null {
    return job.error && { code: knownJobErrorCode(job.error.code), message: job.error.message };
  }

  @ResolveField(() => JobLogConnection, {
    description: 'the job log, oldest first; `last: N` gives its tail',
  })
  logs(@Parent() job: Job, @Args() page: PageArgs): ConnectionShape<JobLogEntry> {
    return this.pages.logs(job.id, page);
  }

  @RequireRole('operator')
  @Mutation(() => JobModel, {
    nullable: true,
    description: 'cancel a waiting job, or abort a running one',
  })
  cancelJob(@Args() { id }: CancelJobArgs): Job {
    return this.runner.cancel(parseJobId(id));
  }
}

/** The fields of a log line that are not stored as such. */
@Resolver(() => JobLogEntryModel)
export class JobLogEntryFieldsResolver {
  @ResolveField(() => ID)
  id(@Parent() entry: JobLogEntry): string {
    return globalId('JobLogEntry', entry.jobId, entry.seq);
  }

  @ResolveField(() => ID)
  jobId(@Parent() entry: JobLogEntry): string {
    return globalId('Job', entry.jobId);
  }
}
