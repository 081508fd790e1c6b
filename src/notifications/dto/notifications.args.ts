import { ArgsType, Field } from '@nestjs/graphql';
import { IsNameArgument, IsNestedArgument } from '../../common/graphql/argument-rules';
import { NotificationFilterInput } from './notification-filter.input';

/** The `filter` of `notifications`. */
@ArgsType()
export class NotificationFilterArgs {
  @Field(() => NotificationFilterInput, { nullable: true, description: 'which notifications' })
  @IsNestedArgument(() => NotificationFilterInput)
  filter?: NotificationFilterInput | null;
}

/** `testNotification(target)`. */
@ArgsType()
export class TestNotificationArgs {
  @Field({ description: 'the target, by name (notifications.targets)' })
  @IsNameArgument()
  target!: string;
}
