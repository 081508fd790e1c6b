import { Field, ObjectType } from '@nestjs/graphql';
import type { JobErrorCode } from '../job-error-codes';
import { JobErrorCodeEnum } from './job-enums';

@ObjectType('JobError', { description: 'why a job or a step failed' })
export class JobErrorModel {
  @Field(() => JobErrorCodeEnum, { description: 'stable, machine-readable reason' })
  code!: JobErrorCode;

  @Field({ description: 'what happened, readable, without secrets' })
  message!: string;
}
