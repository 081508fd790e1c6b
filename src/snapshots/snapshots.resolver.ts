import { Args, Info, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { PageArgs, type ConnectionShape } from '../common/graphql/connection';
import { SnapshotFilterArgs } from './dto/snapshot-filter.args';
import { RepositoryModel } from '../repositories/models/repository.model';
import { SnapshotEntryConnection, type SnapshotEntryModel } from './models/snapshot-entry.model';
import { SnapshotStatisticsModel } from './models/snapshot-statistics.model';
import { SnapshotConnection, SnapshotModel } from './models/snapshot.model';
import { RepositoryViews } from '../repositories/repository-views.service';
import { toSnapshotModel } from './snapshot-views';
import { foldersAsked } from './folders-asked';
import { SnapshotBrowserService } from './snapshot-browser.service';
import { SnapshotPages } from './snapshot-pages';
import { FolderArgs, InRepositoryArgs, SnapshotArgs } from './dto/snapshot.args';

@Resolver(() => SnapshotModel)
export class SnapshotsResolver {
  constructor(
    private readonly pages: SnapshotPages,
    private readonly browser: SnapshotBrowserService,
    private readonly views: RepositoryViews,
  ) {}

  @Query(() => SnapshotConnection, {
    nullable: true,
    description: 'snapshots of a repository, newest first',
  })
  snapshots(
    @Args() { repository }: InRepositoryArgs,
    @Args() page: PageArgs,
    @Args() filter: SnapshotFilterArgs,
  ): Promise<ConnectionShape<SnapshotModel>> {
    return this.pages.snapshotsOf(repository, filter, page);
  }

  @Query(() => SnapshotModel, { nullable: true, description: 'one snapshot; null when unknown' })
  async snapshot(
    @Args() { repository, snapshot }: SnapshotArgs,
    @Info() info: GraphQLResolveInfo,
  ): Promise<SnapshotModel> {
    const found = await this.browser.snapshot(repository, snapshot, foldersAsked(info));
    return toSnapshotModel(repository, found);
  }

  @ResolveField(() => RepositoryModel, { description: 'the repository holding it' })
  repository(@Parent() snapshot: SnapshotModel): RepositoryModel {
    return this.views.repository(snapshot.repositoryName);
  }

  @ResolveField(() => SnapshotEntryConnection, {
    description:
      'the direct children of one of its folders, sorted by name, with the total size and file ' +
      'count of the folders among them when the snapshot is indexed (see `index`): an indexed ' +
      "snapshot's folders are read from the snapshot index page by page; a folder of a snapshot " +
      'not indexed yet is listed by one `restic ls` of that folder (its index job is queued)',
  })
  files(
    @Parent() snapshot: SnapshotModel,
    @Args() page: PageArgs,
    @Args() { path }: FolderArgs,
  ): Promise<ConnectionShape<SnapshotEntryModel> & { path: string }> {
    return this.pages.entriesOf(snapshot.repositoryName, snapshot.snapshotId, path, page);
  }

  @ResolveField(() => SnapshotStatisticsModel, {
    description:
      'size and node count as restoring would write them (`restic stats --mode=restore-size`): ' +
      "one walk of the snapshot's tree by restic, kept afterwards; ask for it on one snapshot, " +
      'not on a long list',
  })
  async statistics(@Parent() snapshot: SnapshotModel): Promise<SnapshotStatisticsModel> {
    const stats = await this.browser.snapshotStatistics(
      snapshot.repositoryName,
      snapshot.snapshotId,
    );
    return { size: stats.totalSize, fileCount: stats.totalFileCount };
  }
}
