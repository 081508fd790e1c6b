import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsTextArgument } from '../../common/graphql/argument-rules';

/** `node(id)`. */
@ArgsType()
export class NodeArgs {
  @Field(() => ID, { description: 'a global id' })
  @IsTextArgument()
  id!: string;
}

/** `nodes(ids)`. */
@ArgsType()
export class NodesArgs {
  @Field(() => [ID], { description: 'global ids' })
  @IsTextArgument()
  ids!: string[];
}
