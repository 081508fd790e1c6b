import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { RepositoriesModule } from '../repositories/repositories.module';
import { ResticServiceModule } from '../repositories/restic-service.module';
import { IndexFollowUp } from './index-follow-up';
import { IndexJobHandler } from './index-job.handler';
import { IndexedPathNodeFetcher } from './index-node-fetcher';
import { SnapshotIndexQueries } from './index-queries';
import { SnapshotIndexResolver } from './snapshot-index.resolver';
import { SnapshotIndexService } from './snapshot-index.service';

@Module({
  imports: [ResticServiceModule, JobsModule, RepositoriesModule],
  providers: [
    SnapshotIndexService,
    SnapshotIndexQueries,
    SnapshotIndexResolver,
    IndexJobHandler,
    IndexFollowUp,
    IndexedPathNodeFetcher,
  ],
  exports: [SnapshotIndexService, IndexFollowUp],
})
export class SnapshotIndexModule {}
