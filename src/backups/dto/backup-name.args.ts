import { ArgsType, Field } from '@nestjs/graphql';
import { IsNameArgument } from '../../common/graphql/argument-rules';

/** `backup(name)`. */
@ArgsType()
export class BackupNameArgs {
  @Field({ description: 'its name' })
  @IsNameArgument()
  name!: string;
}
