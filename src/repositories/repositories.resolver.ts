import { Args, Query, Resolver } from '@nestjs/graphql';
import { JobPages } from '../jobs/job-pages';
import { JobStore } from '../jobs/job-store';
import { OwnerJobsResolver } from '../jobs/owner-jobs.resolver';
import { RepositoryModel } from './models/repository.model';
import { RepositoriesService } from './repositories.service';
import { toRepositoryModel } from './repository-views';
import { RepositoryNameArgs } from './dto/repository-name.args';

@Resolver(() => RepositoryModel)
export class RepositoriesResolver extends OwnerJobsResolver(RepositoryModel, {
  owned: (repository) => ({ repository: repository.name }),
  lastJobDescription:
    'the most recent job on this repository itself (init, check, unlock, restore)',
  jobsDescription: 'jobs on this repository itself (init, check, unlock, restore), newest first',
}) {
  constructor(
    private readonly configured: RepositoriesService,
    jobPages: JobPages,
    store: JobStore,
  ) {
    super(jobPages, store);
  }

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
}
