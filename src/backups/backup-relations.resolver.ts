import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { Job } from '../jobs/job.types';
import { JobModel } from '../jobs/models/job.model';
import { SnapshotModel } from '../snapshots/models/snapshot.model';
import { BackupViews } from './backup-views';
import { BackupModel } from './models/backup.model';

/** Job.backup and Snapshot.backup: jobs and snapshots sit below backups, so the relations are here. */
@Resolver(() => JobModel)
export class JobBackupResolver {
  constructor(private readonly views: BackupViews) {}

  @ResolveField(() => BackupModel, {
    nullable: true,
    description: 'the backup definition it serves',
  })
  backup(@Parent() job: Job): BackupModel | null {
    return job.backup === null ? null : this.views.backup(job.backup);
  }
}

@Resolver(() => SnapshotModel)
export class SnapshotBackupResolver {
  constructor(private readonly views: BackupViews) {}

  @ResolveField(() => BackupModel, {
    nullable: true,
    description: 'the backup definition that made it (from its `backup=` tag)',
  })
  backup(@Parent() snapshot: SnapshotModel): BackupModel | null {
    return snapshot.backupName === null ? null : this.views.backup(snapshot.backupName);
  }
}
