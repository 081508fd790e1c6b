import { ResolveField, Resolver } from '@nestjs/graphql';
import { StatusModel } from './models/status.model';
import { BackupStatusModel } from './models/backup-status.model';
import { BackupStatuses } from './backup-statuses';

/** `Status.backups`: kept out of the API module because it needs the triggers and the metrics. */
@Resolver(() => StatusModel)
export class StatusBackupsResolver {
  constructor(private readonly statuses: BackupStatuses) {}

  @ResolveField(() => [BackupStatusModel], {
    description: 'every backup definition at a glance: last job, next run, overdue',
  })
  backups(): BackupStatusModel[] {
    return this.statuses.all();
  }
}
