import { ArgsType, Field } from '@nestjs/graphql';
import { PriorityScalar } from '../../common/graphql/priority.scalar';
import type { Priority } from '../../config/priority';
import { IsNameArgument } from '../../common/graphql/argument-rules';

@ArgsType()
class BackupTargetArgs {
  @Field({ description: 'the backup definition, by name' })
  @IsNameArgument()
  name!: string;
}

/** `runBackup(name, priority)`. */
@ArgsType()
export class RunBackupArgs extends BackupTargetArgs {
  @Field(() => PriorityScalar, { nullable: true, description: 'default: its own' })
  priority?: Priority | null;
}

/** `pruneBackup(name, priority)`. */
@ArgsType()
export class PruneBackupArgs extends BackupTargetArgs {
  @Field(() => PriorityScalar, { nullable: true, description: 'default: its prune.priority' })
  priority?: Priority | null;
}
