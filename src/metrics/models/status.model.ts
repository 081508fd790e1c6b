import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { Node } from '../../common/graphql/node.interface';
import { DateTime } from '../../common/graphql/scalars';

@ObjectType('Status', { implements: () => [Node], description: 'the daemon at a glance' })
export class StatusModel implements Node {
  @Field(() => ID, { description: 'global id (`Status:<hostname>`)' })
  id!: string;

  @Field({ description: 'hen-backup version' })
  version!: string;

  @Field(() => String, { nullable: true, description: 'restic version; null when not found' })
  resticVersion!: string | null;

  @Field({ description: 'the host name snapshots are taken under' })
  hostname!: string;

  @Field(() => DateTime, { description: 'when the daemon started' })
  startedAt!: Date;

  @Field(() => Float, { description: 'seconds since the daemon started' })
  uptimeSeconds!: number;

  @Field({
    description: 'true when the daemon never writes to a repository (readOnly / --read-only)',
  })
  readOnly!: boolean;

  @Field(() => Int, { description: 'jobs waiting in the queue' })
  queuedJobs!: number;

  @Field(() => Int, { description: 'jobs running now' })
  runningJobs!: number;
}
