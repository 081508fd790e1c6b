import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../api/auth/require-role.decorator';
import { WritesRepository } from '../api/auth/writes-repository.decorator';
import { notFound } from '../api/graphql-errors';
import { PriorityScalar } from '../api/priority.scalar';
import type { Priority } from '../config/priority';
import { JobModel } from '../jobs/job.model';
import type { Job } from '../jobs/job.types';
import { RepositoriesService } from './repositories.service';
import { RepositoryJobsService } from './repository-jobs.service';

/** Mutations that queue work on a whole repository. */
@Resolver()
export class RepositoryJobsResolver {
  constructor(
    private readonly repositories: RepositoriesService,
    private readonly repositoryJobs: RepositoryJobsService,
  ) {}

  @WritesRepository()
  @RequireRole('operator')
  @Mutation(() => JobModel, { description: 'queue a `restic check` of the repository' })
  checkRepository(
    @Args('name') name: string,
    @Args('priority', { type: () => PriorityScalar, nullable: true }) priority?: Priority,
  ): Job {
    this.assertKnown(name);
    return this.repositoryJobs.requestCheck(name, 'api', priority ?? undefined);
  }

  @WritesRepository()
  @RequireRole('admin')
  @Mutation(() => JobModel, {
    description: 'queue the removal of stale locks, ahead of other waiting work',
  })
  unlockRepository(@Args('name') name: string): Job {
    this.assertKnown(name);
    return this.repositoryJobs.requestUnlock(name, 'api');
  }

  private assertKnown(name: string): void {
    if (!this.repositories.find(name))
      throw notFound(`no repository named "${name.slice(0, 100)}"`);
  }
}
