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

  @WritesRepository()
  @RequireRole('operator')
  @Mutation(() => JobModel, {
    nullable: true,
    description:
      'queue forgetting exactly these snapshots, then a prune of their data; every id is checked first, and a bad one queues nothing',
  })
  forgetSnapshots(
    @Args('repository', { description: 'the repository, by name' }) repository: string,
    @Args('ids', {
      type: () => [String],
      description: 'snapshot ids: full, or a unique prefix of at least 8 hex digits',
    })
    ids: string[],
    @Args('backup', {
      type: () => String,
      nullable: true,
      description: 'when given, every snapshot must be of this backup definition',
    })
    backup?: string | null,
  ): Promise<Job> {
    return this.repositoryJobs.requestForget(repository, ids, backup ?? null, 'api');
  }
}
