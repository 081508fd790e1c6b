import { Field, InputType } from '@nestjs/graphql';
import { PriorityScalar } from '../../common/graphql/priority.scalar';
import type { Priority } from '../../config/priority';
import { SNAPSHOT_REF_FORMS } from '../../snapshots/snapshot-refs';
import {
  IsNameArgument,
  IsPathArgument,
  IsTextArgument,
} from '../../common/graphql/argument-rules';

@InputType({ description: 'what to restore, and where' })
export class RestoreSnapshotInput {
  @Field({ description: 'the repository, by name' })
  @IsNameArgument()
  repository!: string;

  @Field({ description: `the snapshot: ${SNAPSHOT_REF_FORMS}` })
  @IsTextArgument()
  snapshot!: string;

  @Field({
    description:
      'absolute folder; restic recreates the snapshot paths below it. Must be inside restore.allowedTargets when that is set',
  })
  @IsPathArgument()
  target!: string;

  @Field(() => [String], { nullable: true, description: 'restic --include patterns' })
  @IsPathArgument()
  include?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'restic --exclude patterns' })
  @IsPathArgument()
  exclude?: string[] | null;

  @Field(() => PriorityScalar, { nullable: true, description: 'default superior' })
  priority?: Priority | null;
}
