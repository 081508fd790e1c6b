import { Field, ObjectType } from '@nestjs/graphql';
import { PriorityScalar } from '../api/priority.scalar';

@ObjectType('Backup')
export class BackupModel {
  @Field()
  name!: string;

  @Field(() => [String])
  paths!: string[];

  @Field(() => [String])
  excludes!: string[];

  @Field(() => [String], { description: 'as written: units like 1d, or cron expressions' })
  schedules!: string[];

  @Field(() => PriorityScalar)
  priority!: number;

  @Field({ description: 'watches its paths for changes' })
  watched!: boolean;

  /** names; resolved into Repository objects by the resolver */
  repositoryNames!: string[];
}
