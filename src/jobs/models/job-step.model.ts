import { Field, ID, ObjectType } from '@nestjs/graphql';
import { GraphQLJSONObjectLike } from '../../common/graphql/json-object.scalar';
import { Node } from '../../common/graphql/node.interface';
import { DateTime } from '../../common/graphql/scalars';
import type { StepKind, StepState } from '../job.types';
import { StepKindEnum, StepStateEnum } from './job-enums';
import { JobErrorModel } from './job-error.model';

@ObjectType('JobStep', {
  implements: () => [Node],
  description: 'one part of a job: a hook, or one restic command on one repository',
})
export class JobStepModel implements Node {
  @Field(() => ID, { description: 'global id (`JobStep:<job>:<index>`)' })
  id!: string;

  @Field({ description: 'e.g. `backup to local` or `before hook 1 (http)`' })
  name!: string;

  @Field(() => StepKindEnum, { description: 'what the step runs' })
  kind!: StepKind;

  @Field(() => String, { nullable: true, description: 'the repository it works on, by name' })
  repositoryName!: string | null;

  @Field(() => StepStateEnum, { description: 'where the step is' })
  state!: StepState;

  @Field(() => DateTime, { nullable: true, description: 'when it started' })
  startedAt!: string | null;

  @Field(() => DateTime, { nullable: true, description: 'when it ended' })
  endedAt!: string | null;

  @Field(() => JobErrorModel, { nullable: true, description: 'why it failed' })
  error!: JobErrorModel | null;

  @Field(() => String, { nullable: true, description: 'full id of the snapshot it made' })
  snapshotId!: string | null;

  @Field(() => GraphQLJSONObjectLike, {
    nullable: true,
    description: 'numbers restic reported at the end, e.g. filesNew, dataAdded',
  })
  summary!: Record<string, number> | null;

  /** the job it belongs to, for relations */
  jobId!: number;
}
