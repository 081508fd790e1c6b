import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { badUserInput } from '../common/graphql/api-errors';
import {
  RepositoryStatsModel,
  StatsModeEnum,
  type StatsMode,
} from './models/repository-stats.model';
import { SnapshotDiffModel } from './models/snapshot-diff.model';
import { RepositoriesService } from '../repositories/repositories.service';
import { SnapshotBrowserService, type SnapshotDiff } from './snapshot-browser.service';
import { SNAPSHOT_REF_FORMS } from './snapshot-refs';

const DEFAULT_DIFF_LIMIT = 1000;
const MAX_DIFF_LIMIT = 10_000;

/** Reading across snapshots: diffs, and statistics of a whole repository. */
@Resolver()
export class SnapshotBrowserResolver {
  constructor(
    private readonly repositories: RepositoriesService,
    private readonly browser: SnapshotBrowserService,
  ) {}

  @Query(() => SnapshotDiffModel, {
    nullable: true,
    description:
      'what changed from one snapshot to another (`restic diff`); path lists are cut at `limit`, totals are complete',
  })
  diffSnapshots(
    @Args('repository', { description: 'the repository, by name' }) repository: string,
    @Args('from', { description: `the older snapshot: ${SNAPSHOT_REF_FORMS}` }) from: string,
    @Args('to', { description: `the newer snapshot: ${SNAPSHOT_REF_FORMS}` }) to: string,
    @Args('limit', {
      type: () => Int,
      nullable: true,
      description: `paths per list, 0..${MAX_DIFF_LIMIT} (default ${DEFAULT_DIFF_LIMIT})`,
    })
    limit?: number | null,
  ): Promise<SnapshotDiff> {
    this.repositories.get(repository);
    const max = limit ?? DEFAULT_DIFF_LIMIT;
    if (!Number.isInteger(max) || max < 0 || max > MAX_DIFF_LIMIT) {
      throw badUserInput(`limit must be between 0 and ${MAX_DIFF_LIMIT}`);
    }
    return this.browser.diff(repository, from, to, max);
  }

  @Query(() => RepositoryStatsModel, {
    nullable: true,
    description:
      '`restic stats` of the whole repository: RESTORE_SIZE (default) sums what restoring every ' +
      'snapshot would write; RAW_DATA is the deduplicated data stored',
  })
  async repositoryStats(
    @Args('name', { description: 'the repository, by name' }) name: string,
    @Args('mode', { type: () => StatsModeEnum, nullable: true, description: 'what to count' })
    mode?: StatsMode | null,
  ): Promise<RepositoryStatsModel> {
    this.repositories.get(name);
    const chosen: StatsMode = mode ?? 'restore-size';
    return { ...(await this.browser.repositoryStatistics(name, chosen)), mode: chosen };
  }
}
