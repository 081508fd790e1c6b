import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { PageArgs, type ConnectionShape } from '../common/graphql/connection';
import { JobPages } from '../jobs/job-pages';
import { JobStore } from '../jobs/job-store';
import type { Job } from '../jobs/job.types';
import { JobConnection, JobModel } from '../jobs/models/job.model';
import { RepositoryModel } from './models/repository.model';
import { RepositoriesService } from './repositories.service';
import { toRepositoryModel } from './repository-views';
import { RepositoryNameArgs } from './dto/repository-name.args';
import { JobFilterArgs } from '../jobs/dto/jobs.args';

@Resolver(() => RepositoryModel)
export class RepositoriesResolver {
  constructor(
    private readonly configured: RepositoriesService,
    private readonly jobPages: JobPages,
    private readonly store: JobStore,
  ) {}

  @Query(() => [RepositoryModel], { nullable: true, description: 'every configured repository' })
  repositories(): RepositoryModel[] {
    return this.configured.list().map(toRepositoryModel);
  }

  @Query(() => RepositoryModel, {
    nullable: true,
    description: 'one repository; null when unknown',
  })
  repository(@Args() { name }: RepositoryNameArgs): RepositoryModel {
    return toRepositoryModel(this.configured.get(name));
  }

  @ResolveField(() => JobModel, {
    nullable: true,
    description: 'the most recent job on this repository itself (init, check, unlock, restore)',
  })
  lastJob(@Parent() repository: RepositoryModel): Job | null {
    return this.store.lastOf({ repository: repository.name });
  }

  @ResolveField(() => JobConnection, {
    description: 'jobs on this repository itself (init, check, unlock, restore), newest first',
  })
  jobs(
    @Parent() repository: RepositoryModel,
    @Args() page: PageArgs,
    @Args() { filter }: JobFilterArgs,
  ): ConnectionShape<Job> {
    return this.jobPages.jobs(page, { ...filter, repository: repository.name });
  }
}
