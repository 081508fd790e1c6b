import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { ResticModule } from '../restic/restic.module';
import { CheckJobHandler } from './check-job.handler';
import { ForgetJobHandler } from './forget-job.handler';
import { InitJobHandler } from './init-job.handler';
import { JobRepositoryResolver, JobStepRepositoryResolver } from './job-repository.resolver';
import { RepositoriesResolver } from './repositories.resolver';
import {
  RepositoryNodeFetcher,
  SnapshotEntryNodeFetcher,
  SnapshotNodeFetcher,
} from './repository-node-fetchers';
import { RepositoryViews } from './repository-views.service';
import { RepositoriesService } from './repositories.service';
import { RepositoryOpener } from './repository-opener';
import { RepositoryStateResolver } from './repository-state.resolver';
import { SnapshotOrphanResolver } from './snapshot-orphan.resolver';
import { RepositoryStates } from './repository-states';
import { RepositoryJobsResolver } from './repository-jobs.resolver';
import { RepositoryJobsService } from './repository-jobs.service';
import { RestoreJobHandler } from './restore-job.handler';
import { RestoreResolver } from './restore.resolver';
import { RestoreService } from './restore.service';
import { SnapshotBrowserResolver } from './snapshot-browser.resolver';
import { SnapshotBrowserService } from './snapshot-browser.service';
import { SnapshotPages } from './snapshot-pages';
import { SnapshotRefs } from './snapshot-refs';
import { SnapshotsResolver } from './snapshots.resolver';
import { SnapshotsService } from './snapshots.service';
import { UnlockJobHandler } from './unlock-job.handler';

@Module({
  imports: [ResticModule, JobsModule],
  providers: [
    RepositoriesService,
    RepositoryStates,
    RepositoryOpener,
    RepositoryStateResolver,
    SnapshotOrphanResolver,
    RepositoryJobsService,
    SnapshotsService,
    InitJobHandler,
    ForgetJobHandler,
    CheckJobHandler,
    UnlockJobHandler,
    RepositoriesResolver,
    RepositoryJobsResolver,
    SnapshotBrowserService,
    SnapshotBrowserResolver,
    RestoreService,
    RestoreJobHandler,
    RestoreResolver,
    SnapshotRefs,
    SnapshotPages,
    SnapshotsResolver,
    RepositoryViews,
    JobRepositoryResolver,
    JobStepRepositoryResolver,
    RepositoryNodeFetcher,
    SnapshotNodeFetcher,
    SnapshotEntryNodeFetcher,
  ],
  exports: [
    RepositoriesService,
    SnapshotsService,
    RepositoryJobsService,
    SnapshotRefs,
    RepositoryViews,
    RepositoryStates,
    RepositoryOpener,
  ],
})
export class RepositoriesModule {}
