import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { SafeInt } from '../../common/graphql/scalars';

@ObjectType('JobProgress', { description: "how far a job's current step has come" })
export class JobProgressModel {
  @Field(() => Float, {
    description:
      "0..100 of the current step. For a backup it is restic's percent_done: the share of the " +
      'bytes to back up that restic has read and processed (deduplicated data included), not ' +
      'the bytes uploaded; under an upload limit restic reads ahead of the upload by what it ' +
      'buffers, so the step can stand at 99.9 while the last packs are still being sent; it is ' +
      '100 only once restic has saved the snapshot. See jobPercent for the whole job',
  })
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

  @Field(() => [String], { description: 'files being read right now; empty once the job ended' })
  currentFiles!: string[];

  @Field(() => String, { nullable: true, description: 'the name of the step this belongs to' })
  step!: string | null;
}
