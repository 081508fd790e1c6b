import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { RepositoriesModule } from '../repositories/repositories.module';
import { ResticModule } from '../restic/restic.module';
import { BackupJobHandler } from './backup-job.handler';
import { BackupsResolver } from './backups.resolver';
import { BackupsService } from './backups.service';

@Module({
  imports: [ResticModule, JobsModule, RepositoriesModule],
  providers: [BackupsService, BackupJobHandler, BackupsResolver],
  exports: [BackupsService],
})
export class BackupsModule {}
