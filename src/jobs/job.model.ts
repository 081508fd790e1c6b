import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSONObjectLike } from '../api/json.scalar';
import { Connection } from '../api/connection';
import { PriorityScalar } from '../api/priority.scalar';
import {
  JOB_OPERATIONS,
  JOB_STATES,
  JOB_TRIGGERS,
  STEP_STATES,
  type JobOperation,
  type JobState,
  type JobTrigger,
  type StepState,
} from './job.types';

/** GraphQL enums are the upper-case forms of the domain's lower-case values. */
function enumOf<T extends string>(values: readonly T[]): Record<string, T> {
  return Object.fromEntries(values.map((v) => [v.toUpperCase().replace(/-/g, '_'), v]));
}

export const JobOperationEnum = enumOf(JOB_OPERATIONS);
export const JobStateEnum = enumOf(JOB_STATES);
export const JobTriggerEnum = enumOf(JOB_TRIGGERS);
export const StepStateEnum = enumOf(STEP_STATES);
registerEnumType(JobOperationEnum, { name: 'JobOperation' });
registerEnumType(JobStateEnum, { name: 'JobState' });
registerEnumType(JobTriggerEnum, { name: 'JobTrigger' });
registerEnumType(StepStateEnum, { name: 'StepState' });

@ObjectType('JobError')
export class JobErrorModel {
  @Field({ description: 'stable machine-readable reason, e.g. WRONG_PASSWORD, TIMED_OUT' })
  code!: string;

  @Field()
  message!: string;
}

@ObjectType('JobProgress')
export class JobProgressModel {
  @Field(() => Float, {
    description:
      "0..100 of the running step. For a backup it is restic's percent_done: the share of the " +
      'bytes to back up that restic has read and processed (deduplicated data included), not ' +
      'the bytes uploaded; under an upload limit restic reads ahead of the upload by what it ' +
      'buffers, so the step can stand at 99.9 while the last packs are still being sent; it is ' +
      '100 only once restic has saved the snapshot',
  })
  percent!: number;

  @Field(() => Float)
  filesDone!: number;

  @Field(() => Float)
  totalFiles!: number;

  @Field(() => Float)
  bytesDone!: number;

  @Field(() => Float)
  totalBytes!: number;

  @Field(() => Float)
  secondsElapsed!: number;

  @Field(() => Float, { nullable: true })
  secondsRemaining!: number | null;

  @Field(() => [String], { description: 'files restic is reading now; empty once the job ended' })
  currentFiles!: string[];

  @Field(() => String, { nullable: true })
  step!: string | null;
}

@ObjectType('JobStep')
export class JobStepModel {
  @Field()
  name!: string;

  @Field({ description: 'restic or hook' })
  kind!: string;

  @Field(() => String, { nullable: true })
  repository!: string | null;

  @Field(() => StepStateEnum)
  state!: StepState;

  @Field(() => String, { nullable: true })
  startedAt!: string | null;

  @Field(() => String, { nullable: true })
  endedAt!: string | null;

  @Field(() => JobErrorModel, { nullable: true })
  error!: JobErrorModel | null;

  @Field(() => String, { nullable: true })
  snapshotId!: string | null;

  @Field(() => GraphQLJSONObjectLike, {
    nullable: true,
    description: 'numbers restic reported at the end, e.g. filesNew, dataAdded',
  })
  summary!: Record<string, number> | null;
}

@ObjectType('JobLogEntry')
export class JobLogEntryModel {
  @Field(() => ID)
  jobId!: number;

  @Field(() => Int)
  seq!: number;

  @Field()
  time!: string;

  @Field()
  level!: string;

  @Field({ description: 'trigger > job > step > restic' })
  path!: string;

  @Field()
  message!: string;
}

@ObjectType('Job')
export class JobModel {
  @Field(() => ID)
  id!: number;

  @Field(() => JobOperationEnum)
  operation!: JobOperation;

  @Field(() => String, { nullable: true })
  backup!: string | null;

  @Field(() => String, { nullable: true })
  repository!: string | null;

  @Field(() => JobTriggerEnum)
  trigger!: JobTrigger;

  @Field(() => PriorityScalar)
  priority!: number;

  @Field(() => JobStateEnum)
  state!: JobState;

  @Field()
  queuedAt!: string;

  @Field({
    description:
      'when this version of the job (state, steps, progress) was recorded, just before it was published; ISO time with milliseconds',
  })
  updatedAt!: string;

  @Field(() => String, { nullable: true })
  startedAt!: string | null;

  @Field(() => String, { nullable: true })
  endedAt!: string | null;

  @Field(() => [JobStepModel])
  steps!: JobStepModel[];

  @Field(() => JobProgressModel, { nullable: true })
  progress!: JobProgressModel | null;

  @Field(() => [String])
  warnings!: string[];

  @Field(() => JobErrorModel, { nullable: true })
  error!: JobErrorModel | null;

  @Field(() => [String], { description: 'full ids of the snapshots this job made' })
  snapshotIds!: string[];
}

@ObjectType()
export class JobConnection extends Connection(JobModel, 'Job') {}

@ObjectType()
export class JobLogConnection extends Connection(JobLogEntryModel, 'JobLog') {}

@InputType()
export class JobFilterInput {
  @Field(() => [JobStateEnum], { nullable: true })
  states?: JobState[];

  @Field(() => [JobOperationEnum], { nullable: true })
  operations?: JobOperation[];

  @Field(() => [JobTriggerEnum], { nullable: true })
  triggers?: JobTrigger[];

  @Field({ nullable: true })
  backup?: string;

  @Field({ nullable: true })
  repository?: string;

  @Field(() => ID, { nullable: true, description: 'only this job (useful for jobUpdated)' })
  id?: string;
}
