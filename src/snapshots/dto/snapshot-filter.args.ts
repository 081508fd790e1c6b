import { ArgsType, Field } from '@nestjs/graphql';
import { DateTime } from '../../common/graphql/scalars';

@ArgsType()
export class SnapshotFilterArgs {
  @Field(() => String, { nullable: true, description: 'made by this backup definition' })
  backup?: string | null;

  @Field(() => String, { nullable: true, description: 'made on this host' })
  host?: string | null;

  @Field(() => String, { nullable: true, description: 'carrying this tag' })
  tag?: string | null;

  @Field(() => DateTime, { nullable: true, description: 'taken at or after this time' })
  takenAfter?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'taken before this time' })
  takenBefore?: Date | null;
}
