import { Args, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { PageArgs, type ConnectionShape } from '../common/graphql/connection';
import { RepositoryModel } from '../repositories/models/repository.model';
import { SnapshotFilterArgs } from './dto/snapshot-filter.args';
import { SnapshotConnection, type SnapshotModel } from './models/snapshot.model';
import { SnapshotPages } from './snapshot-pages';

/** `Repository.snapshots`: the snapshots subject hangs its field on the repository type. */
@Resolver(() => RepositoryModel)
export class RepositorySnapshotsResolver {
  constructor(private readonly snapshotPages: SnapshotPages) {}

  @ResolveField(() => SnapshotConnection, {
    description: 'its snapshots, newest first (one `restic snapshots` per request)',
  })
  snapshots(
    @Parent() repository: RepositoryModel,
    @Args() page: PageArgs,
    @Args() filter: SnapshotFilterArgs,
  ): Promise<ConnectionShape<SnapshotModel>> {
    return this.snapshotPages.snapshotsOf(repository.name, filter, page);
  }
}
