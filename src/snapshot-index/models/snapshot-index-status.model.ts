import { Field, Int, ObjectType } from '@nestjs/graphql';
import { SafeInt } from '../../common/graphql/scalars';

@ObjectType('SnapshotIndexRepository', {
  description: "one repository's part of the snapshot index",
})
export class SnapshotIndexRepositoryModel {
  @Field({ description: 'the repository, by name' })
  repositoryName!: string;

  @Field(() => SafeInt, {
    description:
      'bytes its snapshots added to the index when indexed (folders shared with earlier snapshots count once)',
  })
  bytes!: number;

  @Field(() => Int, { description: 'its snapshots whose folders are in the index' })
  indexedSnapshots!: number;
}

@ObjectType('SnapshotIndexStatus', {
  description: 'the snapshot index: its size on disk, its ceiling and what it holds',
})
export class SnapshotIndexStatusModel {
  @Field(() => SafeInt, { description: 'bytes the index takes in its file (pages in use)' })
  bytes!: number;

  @Field(() => SafeInt, {
    nullable: true,
    description: 'the ceiling (`index.maxSize`); null when there is none',
  })
  maxSize!: number | null;

  @Field(() => Int, { description: 'snapshots whose folders are in the index' })
  indexedSnapshots!: number;

  @Field(() => Int, {
    description: 'snapshots evicted by the ceiling: browsed through restic, searched no more',
  })
  evictedSnapshots!: number;

  @Field(() => [SnapshotIndexRepositoryModel], { description: 'per repository' })
  repositories!: SnapshotIndexRepositoryModel[];
}
