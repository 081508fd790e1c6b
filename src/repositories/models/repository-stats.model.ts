import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { SafeInt } from '../../common/graphql/scalars';

export const StatsModeEnum = { RESTORE_SIZE: 'restore-size', RAW_DATA: 'raw-data' } as const;
export type StatsMode = (typeof StatsModeEnum)[keyof typeof StatsModeEnum];
registerEnumType(StatsModeEnum, {
  name: 'StatsMode',
  description: 'what `restic stats` counts',
  valuesMap: {
    RESTORE_SIZE: { description: 'what restoring every snapshot would write (restic default)' },
    RAW_DATA: { description: 'the deduplicated data the repository stores' },
  },
});

@ObjectType('RepositoryStats', { description: '`restic stats` of a whole repository' })
export class RepositoryStatsModel {
  @Field(() => SafeInt, { description: 'bytes, as the mode counts them' })
  totalSize!: number;

  @Field(() => SafeInt, {
    description: 'restore-size: every node of every snapshot; raw-data: 0',
  })
  totalFileCount!: number;

  @Field(() => Int, { description: 'snapshots in the repository' })
  snapshotsCount!: number;

  @Field(() => StatsModeEnum, { description: 'what was counted' })
  mode!: StatsMode;
}
