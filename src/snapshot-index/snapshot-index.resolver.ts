import { Args, Query, Resolver } from '@nestjs/graphql';
import type { ConnectionShape } from '../common/graphql/connection';
import { IndexScopeArgs, IndexSearchArgs, PathHistoryArgs } from './dto/index-search.args';
import { SnapshotIndexQueries } from './index-queries';
import { IndexedPathConnection, IndexedPathModel } from './models/indexed-path.model';
import { SnapshotIndexStatusModel } from './models/snapshot-index-status.model';

/** Search and path histories across indexed snapshots, and the index's own figures. */
@Resolver(() => IndexedPathModel)
export class SnapshotIndexResolver {
  constructor(private readonly queries: SnapshotIndexQueries) {}

  @Query(() => IndexedPathConnection, {
    description:
      'finds files by name (substring or glob), path prefix, size and modification time across ' +
      'the indexed snapshots of one snapshot, one backup or whole repositories; one item per ' +
      'path, with the versions where it changed. Snapshots not indexed yet are not searched',
  })
  searchSnapshots(
    @Args() scope: IndexScopeArgs,
    @Args() search: IndexSearchArgs,
  ): ConnectionShape<IndexedPathModel> {
    return this.queries.search(scope, search);
  }

  @Query(() => [IndexedPathModel], {
    description:
      'the versions of one path over the indexed snapshots in scope (one item per repository ' +
      'holding it), including where it disappeared',
  })
  pathHistory(@Args() args: PathHistoryArgs): IndexedPathModel[] {
    return this.queries.history(args);
  }

  @Query(() => SnapshotIndexStatusModel, { description: "the snapshot index's size and contents" })
  snapshotIndex(): SnapshotIndexStatusModel {
    return this.queries.status();
  }
}
