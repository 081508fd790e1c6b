import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { RepositoriesModule } from '../repositories/repositories.module';
import { ProcessModule } from '../process/process.module';
import { ResticServiceModule } from '../repositories/restic-service.module';
import { BackupJobHandler } from './backup-job.handler';
import { BackupJobsResolver } from './backup-jobs.resolver';
import { BackupNodeFetcher } from './backup-node-fetcher';
import { JobBackupResolver, SnapshotBackupResolver } from './backup-relations.resolver';
import { BackupViews } from './backup-views';
import { BackupsResolver } from './backups.resolver';
import { BackupsService } from './backups.service';
import { CommandHookRunner } from './hooks/command-hook-runner';
import { HookRunner } from './hooks/hook-runner.service';
import { HttpHookClient } from './hooks/http-hook-client';
import { HttpHookRunner } from './hooks/http-hook-runner';
import { PruneJobHandler } from './prune-job.handler';

@Module({
  imports: [ResticServiceModule, ProcessModule, JobsModule, RepositoriesModule],
  providers: [
    BackupsService,
    BackupJobHandler,
    // hooks: ProcessRunner comes from ProcessModule, Clock and SecretScrubber from CommonModule
    HttpHookClient,
    HttpHookRunner,
    CommandHookRunner,
    HookRunner,
    PruneJobHandler,
    BackupsResolver,
    BackupJobsResolver,
    BackupViews,
    JobBackupResolver,
    SnapshotBackupResolver,
    BackupNodeFetcher,
  ],
  exports: [BackupsService, BackupViews],
})
export class BackupsModule {}
