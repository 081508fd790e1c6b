import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { Node } from '../../common/graphql/node.interface';
import { DateTime } from '../../common/graphql/scalars';
import type { JobLogLevel } from '../job.types';
import { JobLogLevelEnum } from './job-enums';

@ObjectType('JobLogEntry', { implements: () => [Node], description: 'one line of a job log' })
export class JobLogEntryModel implements Node {
  @Field(() => ID, { description: 'global id (`JobLogEntry:<job>:<seq>`)' })
  id!: string;

  @Field(() => ID, { description: 'global id of the job it belongs to' })
  jobId!: string;

  @Field(() => Int, {
    description: "its place in the job's log, from 1 without gaps; resume subscriptions after it",
  })
  seq!: number;

  @Field(() => DateTime, { description: 'when it was written' })
  time!: string;

  @Field(() => JobLogLevelEnum, { description: 'how important it is' })
  level!: JobLogLevel;

  @Field({ description: 'where it comes from: trigger > job > step > restic' })
  path!: string;

  @Field({ description: 'the line, secrets masked' })
  message!: string;
}
