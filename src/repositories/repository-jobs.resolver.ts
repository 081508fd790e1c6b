import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../common/auth/require-role.decorator';
import { WritesRepository } from '../common/auth/writes-repository.decorator';
import { PriorityScalar } from '../common/graphql/priority.scalar';
import type { Priority } from '../config/priority';
import type { Job } from '../jobs/job.types';
import { JobModel } from '../jobs/models/job.model';
import { RepositoryJobsService } from './repository-jobs.service';

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
  checkRepository(
    @Args('name', { description: 'the repository, by name' }) name: string,
    @Args('priority', {
      type: () => PriorityScalar,
      nullable: true,
      description: 'default: its check.priority',
    })
    priority?: Priority,
  ): Job {
    return this.repositoryJobs.requestCheck(name, 'api', priority ?? undefined);
  }

  @WritesRepository()
  @RequireRole('admin')
  @Mutation(() => JobModel, {
    nullable: true,
    description: 'queue the removal of stale locks, ahead of other waiting work',
  })
  unlockRepository(@Args('name', { description: 'the repository, by name' }) name: string): Job {
    return this.repositoryJobs.requestUnlock(name, 'api');
  }

  @WritesRepository()
  @RequireRole('operator')
  @Mutation(() => JobModel, {
    nullable: true,
    description:
      'queue opening the repository now (creating it when the daemon never saw one there), without waiting for the next automatic try',
  })
  initRepository(@Args('name', { description: 'the repository, by name' }) name: string): Job {
    return this.repositoryJobs.requestInit(name, 'api', false);
  }

  @WritesRepository()
  @RequireRole('admin')
  @Mutation(() => JobModel, {
    nullable: true,
    description:
      'queue creating the repository again, empty, where one the daemon knew has gone missing (its old snapshots are lost); does nothing to a repository that is there',
  })
  recreateRepository(@Args('name', { description: 'the repository, by name' }) name: string): Job {
    return this.repositoryJobs.requestInit(name, 'api', true);
  }
}
