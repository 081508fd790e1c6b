import { Field, Int, ObjectType } from '@nestjs/graphql';
import { domainEnum } from '../../common/graphql/domain-enum';
import { DateTime, SafeInt } from '../../common/graphql/scalars';
import type { IndexState } from '../snapshot-index.service';

export const IndexStateEnum = domainEnum<IndexState>(
  ['indexed', 'evicted', 'not-indexed'],
  'SnapshotIndexState',
  'whether a snapshot is in the snapshot index',
  {
    indexed: 'its folders are in the index: browsing and search answer from it',
    evicted:
      'it was indexed, then evicted by the ceiling (index.maxSize): its folders come from restic, search skips it',
    'not-indexed': 'not indexed yet (an on-idle index job will): its folders come from restic',
  },
);

@ObjectType('SnapshotIndexInfo', { description: "a snapshot's place in the snapshot index" })
export class SnapshotIndexInfoModel {
  @Field(() => IndexStateEnum, { description: 'whether it is indexed' })
  state!: IndexState;

  @Field(() => SafeInt, {
    nullable: true,
    description:
      'bytes the index grew by when it was indexed (folders it shares with snapshots indexed before count there); null when not indexed',
  })
  bytes!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'files, folders and links it holds; null when not indexed',
  })
  entryCount!: number | null;

  @Field(() => DateTime, {
    nullable: true,
    description: 'when it was indexed; null when not indexed',
  })
  indexedAt!: string | null;
}
