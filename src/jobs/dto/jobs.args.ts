import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsNestedArgument, IsTextArgument } from '../../common/graphql/argument-rules';
import { JobFilterInput } from './job-filter.input';

/** The `filter` of every job list and of `jobUpdated`. */
@ArgsType()
export class JobFilterArgs {
  @Field(() => JobFilterInput, { nullable: true, description: 'which jobs' })
  @IsNestedArgument(() => JobFilterInput)
  filter?: JobFilterInput | null;
}

/** `job(id)`. */
@ArgsType()
export class JobIdArgs {
  @Field(() => ID, { description: 'its global id (`Job:42`) or number' })
  @IsTextArgument()
  id!: string;
}

/** `cancelJob(id)`. */
@ArgsType()
export class CancelJobArgs {
  @Field(() => ID, { description: 'its global id or number' })
  @IsTextArgument()
  id!: string;
}

/** `jobLogs(jobId, after)`. */
@ArgsType()
export class JobLogsArgs {
  @Field(() => ID, { description: 'the job to follow: its global id or number' })
  @IsTextArgument()
  jobId!: string;

  @Field(() => String, {
    nullable: true,
    description: 'start after this line: a `seq` number, or a cursor of `Job.logs`',
  })
  @IsTextArgument()
  after?: string | null;
}
