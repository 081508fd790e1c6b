import type { Type } from '@nestjs/common';
import { Args, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { PageArgs, type ConnectionShape } from '../common/graphql/connection';
import { JobFilterArgs } from './dto/jobs.args';
import { JobPages } from './job-pages';
import { JobStore, type JobListFilter } from './job-store';
import type { Job } from './job.types';
import { JobConnection, JobModel } from './models/job.model';

/** How a type that owns jobs (a backup, a repository) finds them. */
export interface OwnerJobsSpec<P> {
  /** the part of a job filter that picks this owner's jobs */
  owned: (owner: P) => { backup: string } | { repository: string };
  /** what `lastJob` also requires, beyond being the owner's */
  lastJobFilter?: Pick<JobListFilter, 'operations'>;
  lastJobDescription: string;
  jobsDescription: string;
}

/**
 * The `lastJob` and `jobs` fields of a type that owns jobs, for its resolver to extend; the
 * subclass's constructor passes JobPages and JobStore on.
 */
export function OwnerJobsResolver<P>(owner: Type<P>, spec: OwnerJobsSpec<P>) {
  @Resolver(() => owner, { isAbstract: true })
  abstract class OwnerJobs {
    constructor(
      readonly jobPages: JobPages,
      readonly jobStore: JobStore,
    ) {}

    @ResolveField(() => JobModel, { nullable: true, description: spec.lastJobDescription })
    lastJob(@Parent() parent: P): Job | null {
      return this.jobStore.lastOf({ ...spec.owned(parent), ...spec.lastJobFilter });
    }

    @ResolveField(() => JobConnection, { description: spec.jobsDescription })
    jobs(
      @Parent() parent: P,
      @Args() page: PageArgs,
      @Args() { filter }: JobFilterArgs,
    ): ConnectionShape<Job> {
      return this.jobPages.jobs(page, { ...filter, ...spec.owned(parent) });
    }
  }
  return OwnerJobs;
}
