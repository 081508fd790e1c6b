import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { PageArgs, type ConnectionShape } from '../common/graphql/connection';
import { JobPages } from '../jobs/job-pages';
import { JobStore } from '../jobs/job-store';
import type { Job } from '../jobs/job.types';
import { JobConnection, JobModel } from '../jobs/models/job.model';
import { RepositoryModel } from '../repositories/models/repository.model';
import { RepositoryViews } from '../repositories/repository-views.service';
import { toBackupModel } from './backup-views';
import { BackupsService } from './backups.service';
import { BackupModel } from './models/backup.model';
import { BackupNameArgs } from './dto/backup-name.args';
import { JobFilterArgs } from '../jobs/dto/jobs.args';

@Resolver(() => BackupModel)
export class BackupsResolver {
  constructor(
    private readonly definitions: BackupsService,
    private readonly repositoryViews: RepositoryViews,
    private readonly jobPages: JobPages,
    private readonly store: JobStore,
  ) {}

  @Query(() => [BackupModel], { nullable: true, description: 'every configured backup definition' })
  backups(): BackupModel[] {
    return this.definitions.list().map(toBackupModel);
  }

  @Query(() => BackupModel, {
    nullable: true,
    description: 'one backup definition; null when unknown',
  })
  backup(@Args() { name }: BackupNameArgs): BackupModel {
    return toBackupModel(this.definitions.get(name));
  }

  @ResolveField(() => [RepositoryModel], { description: 'the repositories it backs up to' })
  repositories(@Parent() backup: BackupModel): RepositoryModel[] {
    return backup.repositoryNames.map((name) => this.repositoryViews.repository(name));
  }

  @ResolveField(() => JobModel, { nullable: true, description: 'its most recent backup job' })
  lastJob(@Parent() backup: BackupModel): Job | null {
    return this.store.lastOf({ backup: backup.name, operations: ['backup'] });
  }

  @ResolveField(() => JobConnection, {
    description: 'its jobs (backups and prunes), newest first',
  })
  jobs(
    @Parent() backup: BackupModel,
    @Args() page: PageArgs,
    @Args() { filter }: JobFilterArgs,
  ): ConnectionShape<Job> {
    return this.jobPages.jobs(page, { ...filter, backup: backup.name });
  }
}
