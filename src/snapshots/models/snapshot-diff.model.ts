import { Field, Int, ObjectType } from '@nestjs/graphql';
import { SafeInt } from '../../common/graphql/scalars';

@ObjectType('SnapshotDiffTotals', { description: 'complete counts of a diff' })
export class SnapshotDiffTotalsModel {
  @Field(() => Int, { description: 'paths only in `to`' })
  added!: number;

  @Field(() => Int, { description: 'paths only in `from`' })
  removed!: number;

  @Field(() => Int, { description: 'paths whose content or type changed' })
  changed!: number;

  @Field(() => SafeInt, {
    description: "bytes of data only the newer snapshot has (restic's blobs)",
  })
  addedBytes!: number;

  @Field(() => SafeInt, {
    description: "bytes of data only the older snapshot has (restic's blobs)",
  })
  removedBytes!: number;
}

@ObjectType('SnapshotDiff', { description: 'what changed from one snapshot to another' })
export class SnapshotDiffModel {
  @Field(() => [String], { description: 'paths only in `to` (folders end with /)' })
  added!: string[];

  @Field(() => [String], { description: 'paths only in `from`' })
  removed!: string[];

  @Field(() => [String], { description: 'paths whose content or type changed' })
  changed!: string[];

  @Field(() => SnapshotDiffTotalsModel, { description: 'complete counts, whatever the limit' })
  totals!: SnapshotDiffTotalsModel;

  @Field({ description: 'whether a path list was cut at `limit`' })
  truncated!: boolean;
}
