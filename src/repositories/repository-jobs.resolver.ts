import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../common/auth/require-role.decorator';
import { WritesRepository } from '../common/auth/writes-repository.decorator';
import type { Job } from '../jobs/job.types';
import { JobModel } from '../jobs/models/job.model';
import { RepositoryJobsService } from './repository-jobs.service';
import { CheckRepositoryArgs, RepositoryTargetArgs } from './dto/repository-name.args';

/** Mutations that queue work on a whole repository. */
@Resolver()
export class RepositoryJobsResolver {
  constructor(private readonly repositoryJobs: RepositoryJobsService) {}

  @WritesRepository()
  @RequireRole('operator')
  @Mutation(() => JobModel, {
    nullable: true,
    description: 'queue a `restic check` of the repository',
  })
  checkRepository(@Args() { name, priority }: CheckRepositoryArgs): Job {
    return this.repositoryJobs.requestCheck(name, 'api', priority ?? undefined);
  }

  @WritesRepository()
  @RequireRole('admin')
  @Mutation(() => JobModel, {
    nullable: true,
    description: 'queue the removal of stale locks, ahead of other waiting work',
  })
  unlockRepository(@Args() { name }: RepositoryTargetArgs): Job {
    return this.repositoryJobs.requestUnlock(name, 'api');
  }

  @WritesRepository()
  @RequireRole('operator')
  @Mutation(() => JobModel, {
    nullable: true,
    description:
      'queue opening the repository now (creating it when the daemon never saw one there), without waiting for the next automatic try',
  })
  initRepository(@Args() { name }: RepositoryTargetArgs): Job {
    return this.repositoryJobs.requestInit(name, 'api', false);
  }

  @WritesRepository()
  @RequireRole('admin')
  @Mutation(() => JobModel, {
    nullable: true,
    description:
      'queue creating the repository again, empty, where one the daemon knew has gone missing (its old snapshots are lost); does nothing to a repository that is there',
  })
  recreateRepository(@Args() { name }: RepositoryTargetArgs): Job {
    return this.repositoryJobs.requestInit(name, 'api', true);
  }
}
