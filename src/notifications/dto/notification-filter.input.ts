import { Field, InputType } from '@nestjs/graphql';
import type { OutboxState } from '../../jobs/notification-outbox-store';
import { NotificationStateEnum } from '../models/notification-enums';
import { IsNameArgument } from '../../common/graphql/argument-rules';

@InputType({ description: 'which notifications; every field given must match' })
export class NotificationFilterInput {
  @Field(() => [NotificationStateEnum], { nullable: true, description: 'in one of these states' })
  states?: OutboxState[] | null;

  @Field(() => [String], { nullable: true, description: 'for one of these targets, by name' })
  @IsNameArgument()
  targets?: string[] | null;
}
