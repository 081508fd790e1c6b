import { Field, Int, ObjectType } from '@nestjs/graphql';
import { domainEnum } from '../../common/graphql/domain-enum';
import { SafeInt } from '../../common/graphql/scalars';

export type StatsMode = 'restore-size' | 'raw-data';
export const StatsModeEnum = domainEnum<StatsMode>(
  ['restore-size', 'raw-data'],
  'StatsMode',
  'what `restic stats` counts',
  {
    'restore-size': 'what restoring every snapshot would write (restic default)',
    'raw-data': 'the deduplicated data the repository stores',
  },
);

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
