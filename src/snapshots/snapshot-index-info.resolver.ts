import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { SnapshotIndexInfoModel } from '../snapshot-index/models/snapshot-index-info.model';
import { SnapshotIndexService } from '../snapshot-index/snapshot-index.service';
import { SnapshotModel } from './models/snapshot.model';

/** Snapshot.index: whether browsing and search answer from the snapshot index. */
@Resolver(() => SnapshotModel)
export class SnapshotIndexInfoResolver {
  constructor(private readonly snapshotIndex: SnapshotIndexService) {}

  @ResolveField(() => SnapshotIndexInfoModel, {
    description: 'whether it is in the snapshot index, and what it takes there',
  })
  index(@Parent() snapshot: SnapshotModel): SnapshotIndexInfoModel {
    return this.snapshotIndex.info(snapshot.repositoryName, snapshot.snapshotId);
  }
}
