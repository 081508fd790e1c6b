import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { SafeInt } from '../../common/graphql/scalars';

@ObjectType('JobProgress', { description: "how far a job's current step has come" })
export class JobProgressModel {
  @Field(() => Float, { description: '0..100, as restic reports it for the current step' })
  percent!: number;

  @Field(() => Int, { description: 'files processed so far' })
  filesDone!: number;

  @Field(() => Int, { description: 'files to process, as far as known' })
  totalFiles!: number;

  @Field(() => SafeInt, { description: 'bytes processed so far' })
  bytesDone!: number;

  @Field(() => SafeInt, { description: 'bytes to process, as far as known' })
  totalBytes!: number;

  @Field(() => Float, { description: 'seconds since the step started' })
  secondsElapsed!: number;

  @Field(() => Float, { nullable: true, description: "restic's estimate; null when unknown" })
  secondsRemaining!: number | null;

  @Field(() => [String], { description: 'files being read right now' })
  currentFiles!: string[];

  @Field(() => String, { nullable: true, description: 'the name of the step this belongs to' })
  step!: string | null;
}
