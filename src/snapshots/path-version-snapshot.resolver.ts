import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { PathVersionModel } from '../snapshot-index/models/indexed-path.model';
import { SnapshotIndexService } from '../snapshot-index/snapshot-index.service';
import { SnapshotModel } from './models/snapshot.model';
import { toSnapshotModel } from './snapshot-views';

/** PathVersion.snapshot: the snapshot as an object, as the index recorded it (no restic run). */
@Resolver(() => PathVersionModel)
export class PathVersionSnapshotResolver {
  constructor(private readonly snapshotIndex: SnapshotIndexService) {}

  @ResolveField(() => SnapshotModel, {
    nullable: true,
    description: 'the first snapshot holding this version; null once it has been forgotten',
  })
  snapshot(@Parent() version: PathVersionModel): SnapshotModel | null {
    const [found] = this.snapshotIndex.described(version.repository, version.snapshotId);
    return found ? toSnapshotModel(version.repository, found) : null;
  }
}
