import { Field, ID, InputType } from '@nestjs/graphql';
import type { JobOperation, JobState, JobTrigger } from '../job.types';
import { JobOperationEnum, JobStateEnum, JobTriggerEnum } from '../models/job-enums';
import { IsNameArgument, IsTextArgument } from '../../common/graphql/argument-rules';

@InputType({ description: 'which jobs; every field given must match' })
export class JobFilterInput {
  @Field(() => [JobStateEnum], { nullable: true, description: 'in one of these states' })
  states?: JobState[] | null;

  @Field(() => [JobOperationEnum], { nullable: true, description: 'doing one of these' })
  operations?: JobOperation[] | null;

  @Field(() => [JobTriggerEnum], { nullable: true, description: 'asked for by one of these' })
  triggers?: JobTrigger[] | null;

  @Field(() => String, { nullable: true, description: 'of this backup definition, by name' })
  @IsNameArgument()
  backup?: string | null;

  @Field(() => String, { nullable: true, description: 'on this repository, by name' })
  @IsNameArgument()
  repository?: string | null;

  @Field(() => ID, { nullable: true, description: 'only this job (its global id)' })
  @IsTextArgument()
  id?: string | null;
}
