import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { ResticModule } from '../restic/restic.module';
import { InitJobHandler } from './init-job.handler';
import { RepositoriesResolver } from './repositories.resolver';
import { RepositoriesService } from './repositories.service';
import { RepositoryJobsService } from './repository-jobs.service';
import { SnapshotsService } from './snapshots.service';
import { UnlockJobHandler } from './unlock-job.handler';

@Module({
  imports: [ResticModule, JobsModule],
  providers: [
    RepositoriesService,
    RepositoryJobsService,
    SnapshotsService,
    InitJobHandler,
    UnlockJobHandler,
    RepositoriesResolver,
  ],
  exports: [RepositoriesService, SnapshotsService, RepositoryJobsService],
})
export class RepositoriesModule {}
