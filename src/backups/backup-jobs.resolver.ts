import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../common/auth/require-role.decorator';
import { WritesRepository } from '../common/auth/writes-repository.decorator';
import type { Job } from '../jobs/job.types';
import { JobModel } from '../jobs/models/job.model';
import { BackupsService } from './backups.service';
import { PruneBackupArgs, RunBackupArgs } from './dto/backup-job.args';

/** Mutations that queue work for a backup definition. */
@Resolver()
export class BackupJobsResolver {
  constructor(private readonly backups: BackupsService) {}

  @WritesRepository()
  @RequireRole('operator')
  @Mutation(() => JobModel, {
    nullable: true,
    description: 'queue a backup now; if the same backup already waits, raise its priority instead',
  })
  runBackup(@Args() { name, priority }: RunBackupArgs): Job {
    return this.backups.request(name, 'api', priority ?? undefined);
  }

  @WritesRepository()
  @RequireRole('operator')
  @Mutation(() => JobModel, {
    nullable: true,
    description:
      'queue retention for a backup: forget the snapshots its policy does not keep, then prune',
  })
  pruneBackup(@Args() { name, priority }: PruneBackupArgs): Job {
    return this.backups.requestPrune(name, 'api', priority ?? undefined);
  }
}
