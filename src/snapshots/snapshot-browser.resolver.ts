import { Args, Query, Resolver } from '@nestjs/graphql';
import { RepositoryStatsModel, type StatsMode } from './models/repository-stats.model';
import { SnapshotDiffModel } from './models/snapshot-diff.model';
import { SnapshotBrowserService, type SnapshotDiff } from './snapshot-browser.service';
import { DEFAULT_DIFF_LIMIT, DiffSnapshotsArgs, RepositoryStatsArgs } from './dto/snapshot.args';

/** Reading across snapshots: diffs, and statistics of a whole repository. */
@Resolver()
export class SnapshotBrowserResolver {
  constructor(private readonly browser: SnapshotBrowserService) {}

  @Query(() => SnapshotDiffModel, {
    nullable: true,
    description:
      'what changed from one snapshot to another (`restic diff`); path lists are cut at `limit`, totals are complete',
  })
  diffSnapshots(@Args() { repository, from, to, limit }: DiffSnapshotsArgs): Promise<SnapshotDiff> {
    return this.browser.diff(repository, from, to, limit ?? DEFAULT_DIFF_LIMIT);
  }

  @Query(() => RepositoryStatsModel, {
    nullable: true,
    description:
      '`restic stats` of the whole repository: RESTORE_SIZE (default) sums what restoring every ' +
      'snapshot would write; RAW_DATA is the deduplicated data stored',
  })
  async repositoryStats(
    @Args() { name, mode }: RepositoryStatsArgs,
  ): Promise<RepositoryStatsModel> {
    const chosen: StatsMode = mode ?? 'restore-size';
    return { ...(await this.browser.repositoryStatistics(name, chosen)), mode: chosen };
  }
}
