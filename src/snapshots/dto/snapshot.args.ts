import { ArgsType, Field, Int } from '@nestjs/graphql';
import {
  IsIntBetween,
  IsNameArgument,
  IsPathArgument,
  IsTextArgument,
} from '../../common/graphql/argument-rules';
import { RepositoryTargetArgs } from '../../repositories/dto/repository-name.args';
import { StatsModeEnum, type StatsMode } from '../models/repository-stats.model';
import { SNAPSHOT_REF_FORMS } from '../snapshot-refs';

export const DEFAULT_DIFF_LIMIT = 1000;
export const MAX_DIFF_LIMIT = 10_000;

/** The repository argument of `snapshots`, `snapshot`, `diffSnapshots`, `forgetSnapshots`. */
@ArgsType()
export class InRepositoryArgs {
  @Field({ description: 'the repository, by name' })
  @IsNameArgument()
  repository!: string;
}

/** `snapshot(repository, snapshot)`. */
@ArgsType()
export class SnapshotArgs extends InRepositoryArgs {
  @Field({ description: `which: ${SNAPSHOT_REF_FORMS}` })
  @IsTextArgument()
  snapshot!: string;
}

/** `Snapshot.files(path)`. */
@ArgsType()
export class FolderArgs {
  @Field(() => String, { nullable: true, description: 'the folder; default /' })
  @IsPathArgument()
  path?: string | null;
}

/** `forgetSnapshots(repository, ids, backup)`. */
@ArgsType()
export class ForgetSnapshotsArgs extends InRepositoryArgs {
  @Field(() => [String], {
    description: 'snapshot ids: full, or a unique prefix of at least 8 hex digits',
  })
  @IsTextArgument()
  ids!: string[];

  @Field(() => String, {
    nullable: true,
    description: 'when given, every snapshot must be of this backup definition',
  })
  @IsNameArgument()
  backup?: string | null;
}

/** `diffSnapshots(repository, from, to, limit)`. */
@ArgsType()
export class DiffSnapshotsArgs extends InRepositoryArgs {
  @Field({ description: `the older snapshot: ${SNAPSHOT_REF_FORMS}` })
  @IsTextArgument()
  from!: string;

  @Field({ description: `the newer snapshot: ${SNAPSHOT_REF_FORMS}` })
  @IsTextArgument()
  to!: string;

  @Field(() => Int, {
    nullable: true,
    description: `paths per list, 0..${MAX_DIFF_LIMIT} (default ${DEFAULT_DIFF_LIMIT})`,
  })
  @IsIntBetween(0, MAX_DIFF_LIMIT)
  limit?: number | null;
}

/** `repositoryStats(name, mode)`. */
@ArgsType()
export class RepositoryStatsArgs extends RepositoryTargetArgs {
  @Field(() => StatsModeEnum, { nullable: true, description: 'what to count' })
  mode?: StatsMode | null;
}
