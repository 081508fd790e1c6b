import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { ResticModule } from '../restic/restic.module';
import { InitJobHandler } from './init-job.handler';
import { RepositoriesResolver } from './repositories.resolver';
import { RepositoriesService } from './repositories.service';
import { SnapshotsService } from './snapshots.service';
import { UnlockJobHandler } from './unlock-job.handler';

@Module({
  imports: [ResticModule, JobsModule],
  providers: [
    RepositoriesService,
    SnapshotsService,
    InitJobHandler,
    UnlockJobHandler,
    RepositoriesResolver,
  ],
  exports: [RepositoriesService, SnapshotsService],
})
export class RepositoriesModule {}
