import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../api/auth/require-role.decorator';
import { WritesRepository } from '../api/auth/writes-repository.decorator';
import { notFound } from '../api/graphql-errors';
import { PriorityScalar } from '../api/priority.scalar';
import type { BackupConfig } from '../config/config.types';
import type { Priority } from '../config/priority';
import { JobStore } from '../jobs/job-store';
import { JobModel } from '../jobs/job.model';
import type { Job } from '../jobs/job.types';
import { toRepositoryModel } from '../repositories/repositories.resolver';
import { RepositoriesService } from '../repositories/repositories.service';
import { RepositoryModel } from '../repositories/repository.model';
import { BackupModel } from './backup.model';
import { BackupsService } from './backups.service';

function toBackupModel(backup: BackupConfig): BackupModel {
  return {
    name: backup.name,
    paths: backup.paths,
    excludes: backup.excludes,
    schedules: backup.schedules.map((s) => s.source),
    priority: backup.priority,
    watched: backup.watch !== null,
    repositoryNames: backup.repositories,
  };
}

@Resolver(() => BackupModel)
export class BackupsResolver {
  constructor(
    private readonly backupsService: BackupsService,
    private readonly repositoriesService: RepositoriesService,
    private readonly store: JobStore,
  ) {}

  @Query(() => [BackupModel])
  backups(): BackupModel[] {
    return this.backupsService.list().map(toBackupModel);
  }

  @Query(() => BackupModel)
  backup(@Args('name') name: string): BackupModel {
    const backup = this.backupsService.find(name);
    if (!backup) throw notFound(`no backup named "${name.slice(0, 100)}"`);
    return toBackupModel(backup);
  }

  @ResolveField(() => [RepositoryModel])
  repositories(@Parent() backup: BackupModel): RepositoryModel[] {
    return backup.repositoryNames.map((name) =>
      toRepositoryModel(this.repositoriesService.get(name)),
    );
  }

  @ResolveField(() => JobModel, { nullable: true, description: 'the most recent backup job' })
  lastJob(@Parent() backup: BackupModel): Job | null {
    return this.store.lastOf({ backup: backup.name, operations: ['backup'] });
  }

  @WritesRepository()
  @RequireRole('operator')
  @Mutation(() => JobModel, {
    description: 'queue a backup now; if the same backup already waits, raise its priority instead',
  })
  runBackup(
    @Args('name') name: string,
    @Args('priority', { type: () => PriorityScalar, nullable: true }) priority?: Priority,
  ): Job {
    if (!this.backupsService.find(name)) throw notFound(`no backup named "${name.slice(0, 100)}"`);
    return this.backupsService.request(name, 'api', priority ?? undefined);
  }
}
