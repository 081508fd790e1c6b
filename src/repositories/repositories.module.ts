import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { ResticModule } from '../restic/restic.module';
import { CheckJobHandler } from './check-job.handler';
import { InitJobHandler } from './init-job.handler';
import { RepositoriesResolver } from './repositories.resolver';
import { RepositoriesService } from './repositories.service';
import { RepositoryJobsResolver } from './repository-jobs.resolver';
import { RepositoryJobsService } from './repository-jobs.service';
import { RestoreJobHandler } from './restore-job.handler';
import { RestoreResolver } from './restore.resolver';
import { RestoreService } from './restore.service';
import { SnapshotBrowserResolver } from './snapshot-browser.resolver';
import { SnapshotBrowserService } from './snapshot-browser.service';
import { SnapshotsService } from './snapshots.service';
import { UnlockJobHandler } from './unlock-job.handler';

@Module({
  imports: [ResticModule, JobsModule],
  providers: [
    RepositoriesService,
    RepositoryJobsService,
    SnapshotsService,
    InitJobHandler,
    CheckJobHandler,
    UnlockJobHandler,
    RepositoriesResolver,
    RepositoryJobsResolver,
    SnapshotBrowserService,
    SnapshotBrowserResolver,
    RestoreService,
    RestoreJobHandler,
    RestoreResolver,
  ],
  exports: [RepositoriesService, SnapshotsService, RepositoryJobsService],
})
export class RepositoriesModule {}
