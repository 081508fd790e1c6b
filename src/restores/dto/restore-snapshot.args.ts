import { ArgsType, Field } from '@nestjs/graphql';
import { IsNestedArgument } from '../../common/graphql/argument-rules';
import { RestoreSnapshotInput } from './restore-snapshot.input';

/** `restoreSnapshot(input)`. */
@ArgsType()
export class RestoreSnapshotArgs {
  @Field(() => RestoreSnapshotInput, { description: 'what to restore, and where' })
  @IsNestedArgument(() => RestoreSnapshotInput)
  input!: RestoreSnapshotInput;
}
