import { Args, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { connectionOf, decodeCursor, encodeCursor, PageArgs, pageSize } from '../api/connection';
import { badUserInput, notFound } from '../api/graphql-errors';
import { RepositoriesService } from './repositories.service';
import { toSnapshotModel } from './repositories.resolver';
import { SnapshotModel } from './repository.model';
import {
  RepositoryStatsModel,
  SnapshotDiffModel,
  SnapshotEntryConnection,
  SnapshotStatisticsModel,
  StatsModeEnum,
} from './snapshot-browser.model';
import { SnapshotBrowserService, type SnapshotDiff } from './snapshot-browser.service';
import { withApiErrors } from './snapshot-api-errors';
import { childPath } from './snapshot-paths';

const DEFAULT_DIFF_LIMIT = 1000;
const MAX_DIFF_LIMIT = 10_000;
const ENTRY_CURSOR = 'snapshotEntry';

/** Reading inside snapshots: one snapshot, its folders, diffs, and repository statistics. */
@Resolver(() => SnapshotModel)
export class SnapshotBrowserResolver {
  constructor(
    private readonly repositories: RepositoriesService,
    private readonly browser: SnapshotBrowserService,
  ) {}

  @Query(() => SnapshotModel, { description: 'one snapshot, by full id or unique prefix' })
  async snapshot(
    @Args('repository') repository: string,
    @Args('id') id: string,
  ): Promise<SnapshotModel> {
    this.assertKnown(repository);
    return withApiErrors(async () =>
      toSnapshotModel(repository, await this.browser.snapshot(repository, id)),
    );
  }

  @ResolveField(() => SnapshotStatisticsModel, {
    description:
      'size and node count as restoring would write them (`restic stats --mode=restore-size`): ' +
      "one walk of the snapshot's tree by restic, kept afterwards; ask for it on one snapshot, " +
      'not on a long list',
  })
  async statistics(@Parent() snapshot: SnapshotModel): Promise<SnapshotStatisticsModel> {
    const stats = await withApiErrors(() =>
      this.browser.snapshotStatistics(snapshot.repository, snapshot.id),
    );
    return { size: stats.totalSize, fileCount: stats.totalFileCount };
  }

  @Query(() => SnapshotEntryConnection, {
    description:
      'the direct children of a folder of a snapshot, sorted by name. The first request lists ' +
      'that folder (`restic ls`) while the whole snapshot is listed once in the background; ' +
      'later folders of the same snapshot come from memory',
  })
  async snapshotFiles(
    @Args('repository') repository: string,
    @Args('snapshotId') snapshotId: string,
    @Args() page: PageArgs,
    @Args('path', { type: () => String, nullable: true, description: 'default /' })
    path?: string | null,
  ): Promise<SnapshotEntryConnection> {
    this.assertKnown(repository);
    const first = pageSize(page.first);
    const after = decodeCursor(ENTRY_CURSOR, page.after);
    let start = 0;
    if (after !== undefined) {
      if (!/^\d{1,9}$/.test(after)) throw badUserInput('after is not a valid cursor for this list');
      start = Number(after) + 1;
    }
    const folder = await withApiErrors(() =>
      this.browser.folder(repository, snapshotId, path, start, first),
    );
    const nodes = folder.entries.map((entry, i) => ({
      ...entry,
      path: childPath(folder.folder, entry.name),
      index: start + i,
    }));
    const connection = connectionOf(nodes, start + first < folder.total, (n) =>
      encodeCursor(ENTRY_CURSOR, n.index),
    );
    return { ...connection, totalCount: folder.total, path: folder.folder };
  }

  @Query(() => SnapshotDiffModel, {
    description:
      'what changed from one snapshot to another (`restic diff`); path lists are cut at `limit`, totals are complete',
  })
  async diffSnapshots(
    @Args('repository') repository: string,
    @Args('from') from: string,
    @Args('to') to: string,
    @Args('limit', {
      type: () => Int,
      nullable: true,
      description: `paths per list, 0..${MAX_DIFF_LIMIT} (default ${DEFAULT_DIFF_LIMIT})`,
    })
    limit?: number | null,
  ): Promise<SnapshotDiff> {
    this.assertKnown(repository);
    const max = limit ?? DEFAULT_DIFF_LIMIT;
    if (!Number.isInteger(max) || max < 0 || max > MAX_DIFF_LIMIT) {
      throw badUserInput(`limit must be between 0 and ${MAX_DIFF_LIMIT}`);
    }
    return withApiErrors(() => this.browser.diff(repository, from, to, max));
  }

  @Query(() => RepositoryStatsModel, {
    description:
      '`restic stats` of the whole repository: RESTORE_SIZE (default) sums what restoring every ' +
      'snapshot would write; RAW_DATA is the deduplicated data stored',
  })
  async repositoryStats(
    @Args('name') name: string,
    @Args('mode', { type: () => StatsModeEnum, nullable: true })
    mode?: (typeof StatsModeEnum)[keyof typeof StatsModeEnum] | null,
  ): Promise<RepositoryStatsModel> {
    this.assertKnown(name);
    const chosen = mode ?? StatsModeEnum.RESTORE_SIZE;
    const stats = await withApiErrors(() => this.browser.repositoryStatistics(name, chosen));
    return { ...stats, mode: chosen };
  }

  private assertKnown(name: string): void {
    if (!this.repositories.find(name)) {
      throw notFound(`no repository named "${name.slice(0, 100)}"`);
    }
  }
}
