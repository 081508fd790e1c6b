import { Field, InputType } from '@nestjs/graphql';
import { PriorityScalar } from '../../common/graphql/priority.scalar';
import type { Priority } from '../../config/priority';
import { SNAPSHOT_REF_FORMS } from '../../snapshots/snapshot-refs';

@InputType({ description: 'what to restore, and where' })
export class RestoreSnapshotInput {
  @Field({ description: 'the repository, by name' })
  repository!: string;

  @Field({ description: `the snapshot: ${SNAPSHOT_REF_FORMS}` })
  snapshot!: string;

  @Field({
    description:
      'absolute folder; restic recreates the snapshot paths below it. Must be inside restore.allowedTargets when that is set',
  })
  target!: string;

  @Field(() => [String], { nullable: true, description: 'restic --include patterns' })
  include?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'restic --exclude patterns' })
  exclude?: string[] | null;

  @Field(() => PriorityScalar, { nullable: true, description: 'default superior' })
  priority?: Priority | null;
}
