import { ArgsType, Field, InputType } from '@nestjs/graphql';
import {
  IsNameArgument,
  IsNestedArgument,
  IsPathArgument,
  IsTextArgument,
} from '../../common/graphql/argument-rules';
import { PageArgs } from '../../common/graphql/connection';
import { DateTime, SafeInt } from '../../common/graphql/scalars';

@InputType('SizeRange', { description: 'bytes, both bounds included; either may be left out' })
export class SizeRangeInput {
  @Field(() => SafeInt, { nullable: true, description: 'at least this many bytes' })
  min?: number | null;

  @Field(() => SafeInt, { nullable: true, description: 'at most this many bytes' })
  max?: number | null;
}

@InputType('TimeRange', { description: 'times, both bounds included; either may be left out' })
export class TimeRangeInput {
  @Field(() => DateTime, { nullable: true, description: 'at or after this time' })
  min?: Date | null;

  @Field(() => DateTime, { nullable: true, description: 'at or before this time' })
  max?: Date | null;
}

@ArgsType()
export class IndexScopeArgs {
  @Field(() => String, {
    nullable: true,
    description: 'search this repository (by name); without it, every repository',
  })
  @IsNameArgument()
  repository?: string | null;

  @Field(() => String, { nullable: true, description: "only this backup definition's snapshots" })
  @IsNameArgument()
  backup?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'only this snapshot (its id or an unambiguous prefix of 8+ hex digits); needs repository',
  })
  @IsTextArgument()
  snapshot?: string | null;

  @Field(() => TimeRangeInput, {
    nullable: true,
    description: 'only snapshots taken in this range',
  })
  @IsNestedArgument(() => TimeRangeInput)
  taken?: TimeRangeInput | null;
}

@ArgsType()
export class IndexSearchArgs extends PageArgs {
  @Field(() => String, {
    nullable: true,
    description:
      'names holding this text (case-insensitive); give name or glob, or neither for every name',
  })
  @IsTextArgument()
  name?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'names matching this glob (case-sensitive): `*`, `?`, `[abc]`, `[a-z]`, `[^abc]`',
  })
  @IsTextArgument()
  glob?: string | null;

  @Field(() => String, { nullable: true, description: 'only paths under this folder' })
  @IsPathArgument()
  under?: string | null;

  @Field(() => SizeRangeInput, { nullable: true, description: 'only versions of this size' })
  @IsNestedArgument(() => SizeRangeInput)
  size?: SizeRangeInput | null;

  @Field(() => TimeRangeInput, {
    nullable: true,
    description: 'only versions last modified in this range',
  })
  @IsNestedArgument(() => TimeRangeInput)
  modified?: TimeRangeInput | null;
}

/** `pathHistory(path, ...scope)`. */
@ArgsType()
export class PathHistoryArgs extends IndexScopeArgs {
  @Field({ description: 'the absolute path of a file or folder' })
  @IsPathArgument()
  path!: string;
}
