import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Node } from '../../common/graphql/node.interface';
import { DateTime } from '../../common/graphql/scalars';
import { BackupModel } from '../../backups/models/backup.model';
import { JobModel } from '../../jobs/models/job.model';
import type { Job } from '../../jobs/job.types';

@ObjectType('BackupStatus', {
  implements: () => [Node],
  description: 'one backup at a glance, for dashboards',
})
export class BackupStatusModel implements Node {
  @Field(() => ID, { description: 'global id (`BackupStatus:<name>`)' })
  id!: string;

  @Field({ description: 'the backup definition, by name' })
  name!: string;

  @Field(() => BackupModel, { description: 'the backup definition' })
  backup!: BackupModel;

  @Field(() => JobModel, {
    nullable: true,
    description: 'its most recent backup job (it may be queued or running)',
  })
  lastJob!: Job | null;

  @Field(() => DateTime, { nullable: true, description: 'when the last successful backup ended' })
  lastSuccessAt!: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'when the last failed backup ended' })
  lastFailureAt!: Date | null;

  @Field(() => DateTime, {
    nullable: true,
    description:
      'next scheduled backup; null without schedules and while a run is queued or running',
  })
  nextRunAt!: Date | null;

  @Field({
    description:
      'true when it has schedules and either its last success (or, never successful, when the daemon first knew of it) is older than its shortest interval I plus a grace G = max(10 min, I/2), or its next run is more than G in the past',
  })
  overdue!: boolean;
}
