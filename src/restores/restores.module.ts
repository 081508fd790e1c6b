import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { RepositoriesModule } from '../repositories/repositories.module';
import { ResticServiceModule } from '../repositories/restic-service.module';
import { SnapshotsModule } from '../snapshots/snapshots.module';
import { RestoreJobHandler } from './restore-job.handler';
import { RestoreResolver } from './restore.resolver';
import { RestoreService } from './restore.service';

/** Restoring a snapshot (or part of it) into a folder, as a job. */
@Module({
  imports: [ResticServiceModule, JobsModule, RepositoriesModule, SnapshotsModule],
  providers: [RestoreService, RestoreJobHandler, RestoreResolver],
})
export class RestoresModule {}
