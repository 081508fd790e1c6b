import { Args, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { JobPages } from '../jobs/job-pages';
import { JobStore } from '../jobs/job-store';
import { OwnerJobsResolver } from '../jobs/owner-jobs.resolver';
import { RepositoryModel } from '../repositories/models/repository.model';
import { RepositoryViews } from '../repositories/repository-views.service';
import { toBackupModel } from './backup-views';
import { BackupsService } from './backups.service';
import { BackupModel } from './models/backup.model';
import { BackupNameArgs } from './dto/backup-name.args';

@Resolver(() => BackupModel)
export class BackupsResolver extends OwnerJobsResolver(BackupModel, {
  owned: (backup) => ({ backup: backup.name }),
  lastJobFilter: { operations: ['backup'] },
  lastJobDescription: 'its most recent backup job',
  jobsDescription: 'its jobs (backups and prunes), newest first',
}) {
  constructor(
    private readonly definitions: BackupsService,
    private readonly repositoryViews: RepositoryViews,
    jobPages: JobPages,
    store: JobStore,
  ) {
    super(jobPages, store);
  }

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
}
