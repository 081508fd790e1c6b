import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('Status')
export class StatusModel {
  @Field({ description: 'hen-backup version' })
  version!: string;

  @Field(() => String, { nullable: true })
  resticVersion!: string | null;

  @Field()
  hostname!: string;

  @Field()
  startedAt!: string;

  @Field(() => Float)
  uptimeSeconds!: number;

  @Field({
    description: 'true when the daemon never writes to a repository (readOnly / --read-only)',
  })
  readOnly!: boolean;

  @Field(() => Int)
  queuedJobs!: number;

  @Field(() => Int)
  runningJobs!: number;
}
