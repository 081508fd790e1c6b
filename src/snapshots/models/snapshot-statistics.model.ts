import { Field, Int, ObjectType } from '@nestjs/graphql';
import { SafeInt } from '../../common/graphql/scalars';

@ObjectType('SnapshotStatistics', {
  description:
    "`restic stats --mode=restore-size` of one snapshot (one walk of the snapshot's tree)",
})
export class SnapshotStatisticsModel {
  @Field(() => SafeInt, { description: 'bytes of the files, as restoring would write them' })
  size!: number;

  @Field(() => Int, { description: 'files, folders and links in the snapshot' })
  fileCount!: number;
}
