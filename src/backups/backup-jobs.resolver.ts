import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../api/auth/require-role.decorator';
import { WritesRepository } from '../api/auth/writes-repository.decorator';
import { notFound } from '../api/graphql-errors';
import { PriorityScalar } from '../api/priority.scalar';
import type { Priority } from '../config/priority';
import { JobModel } from '../jobs/job.model';
import type { Job } from '../jobs/job.types';
import { BackupsService } from './backups.service';

/** Mutations that queue work for a backup definition. */
@Resolver()
export class BackupJobsResolver {
  constructor(private readonly backups: BackupsService) {}

  @WritesRepository()
  @RequireRole('operator')
  @Mutation(() => JobModel, {
    description:
      'queue retention for a backup: forget the snapshots its policy does not keep, then prune',
  })
  pruneBackup(
    @Args('name') name: string,
    @Args('priority', { type: () => PriorityScalar, nullable: true }) priority?: Priority,
  ): Job {
    if (!this.backups.find(name)) throw notFound(`no backup named "${name.slice(0, 100)}"`);
    return this.backups.requestPrune(name, 'api', priority ?? undefined);
  }
}
