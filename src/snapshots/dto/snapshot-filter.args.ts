import { ArgsType, Field } from '@nestjs/graphql';
import { DateTime } from '../../common/graphql/scalars';
import { IsNameArgument, IsTextArgument } from '../../common/graphql/argument-rules';

@ArgsType()
export class SnapshotFilterArgs {
  @Field(() => String, { nullable: true, description: 'made by this backup definition' })
  @IsNameArgument()
  backup?: string | null;

  @Field(() => String, { nullable: true, description: 'made on this host' })
  @IsTextArgument()
  host?: string | null;

  @Field(() => String, { nullable: true, description: 'carrying this tag' })
  @IsTextArgument()
  tag?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'taken at or after this time' })
  takenAfter?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'taken before this time' })
  takenBefore?: Date | null;
}
