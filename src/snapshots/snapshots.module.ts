import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { RepositoriesModule } from '../repositories/repositories.module';
import { ResticServiceModule } from '../repositories/restic-service.module';
import { SnapshotIndexModule } from '../snapshot-index/snapshot-index.module';
import { RepositorySnapshotsResolver } from './repository-snapshots.resolver';
import { SnapshotBrowserResolver } from './snapshot-browser.resolver';
import { SnapshotBrowserService } from './snapshot-browser.service';
import { SnapshotForgetResolver } from './snapshot-forget.resolver';
import { SnapshotForgetService } from './snapshot-forget.service';
import { SnapshotEntryNodeFetcher, SnapshotNodeFetcher } from './snapshot-node-fetchers';
import { SnapshotOrphanResolver } from './snapshot-orphan.resolver';
import { SnapshotPages } from './snapshot-pages';
import { SnapshotRefs } from './snapshot-refs';
import { PathVersionSnapshotResolver } from './path-version-snapshot.resolver';
import { SnapshotIndexInfoResolver } from './snapshot-index-info.resolver';
import { SnapshotsResolver } from './snapshots.resolver';
import { SnapshotsService } from './snapshots.service';

/** Listing, finding, browsing and forgetting the snapshots of the configured repositories. */
@Module({
  imports: [ResticServiceModule, JobsModule, RepositoriesModule, SnapshotIndexModule],
  providers: [
    SnapshotsService,
    SnapshotOrphanResolver,
    SnapshotBrowserService,
    SnapshotBrowserResolver,
    SnapshotRefs,
    SnapshotPages,
    SnapshotsResolver,
    SnapshotIndexInfoResolver,
    PathVersionSnapshotResolver,
    RepositorySnapshotsResolver,
    SnapshotForgetService,
    SnapshotForgetResolver,
    SnapshotNodeFetcher,
    SnapshotEntryNodeFetcher,
  ],
  exports: [SnapshotsService, SnapshotRefs],
})
export class SnapshotsModule {}
