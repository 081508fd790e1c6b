import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { Connection } from '../../common/graphql/connection';
import { Node } from '../../common/graphql/node.interface';
import { PriorityScalar } from '../../common/graphql/priority.scalar';
import { DateTime } from '../../common/graphql/scalars';
import type { JobOperation, JobState, JobTrigger } from '../job.types';
import { JobOperationEnum, JobStateEnum, JobTriggerEnum } from './job-enums';
import { JobErrorModel } from './job-error.model';
import { JobLogEntryModel } from './job-log-entry.model';
import { JobProgressModel } from './job-progress.model';

/**
 * A job. Resolvers answer with the domain Job (jobs/job.types.ts); the fields that differ from it
 * (id, number, names, steps, logs, relations) have field resolvers.
 */
@ObjectType('Job', {
  implements: () => [Node],
  description: 'one piece of work: a backup, prune, check, init, unlock or restore',
})
export class JobModel implements Node {
  @Field(() => ID, { description: 'global id (`Job:<number>`)' })
  id!: string;

  @Field(() => Int, { description: 'the job number, as logs and metrics show it' })
  number!: number;

  @Field(() => JobOperationEnum, { description: 'what it does' })
  operation!: JobOperation;

  @Field(() => String, { nullable: true, description: 'the backup definition it serves, by name' })
  backupName!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'the repository it works on (init, check, unlock, restore), by name',
  })
  repositoryName!: string | null;

  @Field(() => JobTriggerEnum, { description: 'what asked for it' })
  trigger!: JobTrigger;

  @Field(() => PriorityScalar, { description: 'its place in the queue' })
  priority!: number;

  @Field(() => JobStateEnum, { description: 'where it is in its life' })
  state!: JobState;

  @Field(() => DateTime, { description: 'when it was queued' })
  queuedAt!: string;

  @Field(() => DateTime, {
    description:
      'when this version of the job (state, steps, progress) was recorded, just before it was published',
  })
  updatedAt!: string;

  @Field(() => DateTime, { nullable: true, description: 'when it started running' })
  startedAt!: string | null;

  @Field(() => DateTime, { nullable: true, description: 'when it ended' })
  endedAt!: string | null;

  @Field(() => JobProgressModel, {
    nullable: true,
    description: 'how far it has come; null before it starts',
  })
  progress!: JobProgressModel | null;

  @Field(() => [String], {
    description:
      'what went wrong without failing it (e.g. unreadable files, ignored hook failures)',
  })
  warnings!: string[];

  @Field(() => JobErrorModel, { nullable: true, description: 'why it failed; null otherwise' })
  error!: JobErrorModel | null;

  @Field(() => [String], { description: 'full ids of the snapshots it made' })
  snapshotIds!: string[];
}

@ObjectType({ description: 'a page of jobs' })
export class JobConnection extends Connection(JobModel, 'Job', 'job') {}

@ObjectType({ description: 'a page of a job log' })
export class JobLogConnection extends Connection(JobLogEntryModel, 'JobLog', 'log line') {}
