import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { Job } from '../jobs/job.types';
import { JobStepModel } from '../jobs/models/job-step.model';
import { JobModel } from '../jobs/models/job.model';
import { RepositoryModel } from './models/repository.model';
import { RepositoryViews } from './repository-views.service';

/** Job.repository and JobStep.repository: jobs sit below repositories, so the relation is here. */
@Resolver(() => JobModel)
export class JobRepositoryResolver {
  constructor(private readonly views: RepositoryViews) {}

  @ResolveField(() => RepositoryModel, {
    nullable: true,
    description: 'the repository it works on (init, check, unlock, restore)',
  })
  repository(@Parent() job: Job): RepositoryModel | null {
    return job.repository === null ? null : this.views.repository(job.repository);
  }
}

@Resolver(() => JobStepModel)
export class JobStepRepositoryResolver {
  constructor(private readonly views: RepositoryViews) {}

  @ResolveField(() => RepositoryModel, {
    nullable: true,
    description: 'the repository it works on',
  })
  repository(@Parent() step: JobStepModel): RepositoryModel | null {
    return step.repositoryName === null ? null : this.views.repository(step.repositoryName);
  }
}
