import { ArgsType, Field } from '@nestjs/graphql';
import { PriorityScalar } from '../../common/graphql/priority.scalar';
import type { Priority } from '../../config/priority';
import { IsNameArgument } from '../../common/graphql/argument-rules';

/** `repository(name)`. */
@ArgsType()
export class RepositoryNameArgs {
  @Field({ description: 'its name' })
  @IsNameArgument()
  name!: string;
}

/** The repository a job or a question is about: `unlockRepository(name)` and the like. */
@ArgsType()
export class RepositoryTargetArgs {
  @Field({ description: 'the repository, by name' })
  @IsNameArgument()
  name!: string;
}

/** `checkRepository(name, priority)`. */
@ArgsType()
export class CheckRepositoryArgs extends RepositoryTargetArgs {
  @Field(() => PriorityScalar, { nullable: true, description: 'default: its check.priority' })
  priority?: Priority | null;
}
