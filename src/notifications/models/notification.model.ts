import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { Connection } from '../../common/graphql/connection';
import { globalId } from '../../common/graphql/global-id';
import { GraphQLJSONObjectLike } from '../../common/graphql/json-object.scalar';
import { Node } from '../../common/graphql/node.interface';
import { DateTime } from '../../common/graphql/scalars';
import type { NotificationEventName, Severity } from '../../config/notifications.types';
import type { OutboxEntry, OutboxState } from '../../jobs/notification-outbox-store';
import {
  NotificationEventEnum,
  NotificationSeverityEnum,
  NotificationStateEnum,
} from './notification-enums';

@ObjectType('Notification', {
  implements: () => [Node],
  description: 'one notification for one target, as the outbox keeps it',
})
export class NotificationModel implements Node {
  @Field(() => ID, { description: 'global id (`Notification:<number>`)' })
  id!: string;

  @Field(() => Int, { description: 'its number in the outbox, as the logs show it' })
  number!: number;

  @Field({ description: 'the target it is for, by name (notifications.targets)' })
  target!: string;

  @Field(() => NotificationEventEnum, { description: 'what it is about' })
  event!: NotificationEventName;

  @Field(() => NotificationSeverityEnum, { description: 'how much it matters' })
  severity!: Severity;

  @Field({ description: 'the one line it says' })
  summary!: string;

  @Field(() => NotificationStateEnum, { description: 'delivered, waiting, or given up' })
  state!: OutboxState;

  @Field(() => Int, { description: 'delivery attempts made so far' })
  attempts!: number;

  @Field(() => DateTime, { description: 'when it was stored' })
  createdAt!: string;

  @Field(() => DateTime, {
    nullable: true,
    description: 'when the next attempt is due; null unless pending',
  })
  nextAttemptAt!: string | null;

  @Field(() => DateTime, { nullable: true, description: 'when it was last tried' })
  lastAttemptAt!: string | null;

  @Field(() => DateTime, { nullable: true, description: 'when the target took it' })
  sentAt!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'why the last failed attempt failed; null when none failed',
  })
  lastError!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'what the target answered to the last attempt (e.g. `HTTP 200: ok`)',
  })
  response!: string | null;

  @Field(() => GraphQLJSONObjectLike, {
    description: "the event's fields, as templates see them (job, backup, error, ...)",
  })
  payload!: Record<string, unknown>;
}

export function toNotificationModel(entry: OutboxEntry): NotificationModel {
  return {
    id: globalId('Notification', entry.id),
    number: entry.id,
    target: entry.target,
    event: entry.event as NotificationEventName,
    severity: entry.severity as Severity,
    summary: typeof entry.payload.summary === 'string' ? entry.payload.summary : '',
    state: entry.state,
    attempts: entry.attempts,
    createdAt: entry.createdAt,
    nextAttemptAt: entry.state === 'pending' ? entry.nextAttemptAt : null,
    lastAttemptAt: entry.lastAttemptAt,
    sentAt: entry.sentAt,
    lastError: entry.lastError,
    response: entry.response,
    payload: entry.payload,
  };
}

@ObjectType('NotificationConnection', { description: 'a page of notifications' })
export class NotificationConnection extends Connection(
  NotificationModel,
  'Notification',
  'notification',
) {}

@ObjectType('TestNotificationResult', {
  description: 'what a target did with the sample event of testNotification',
})
export class TestNotificationResultModel {
  @Field({ description: 'the target, by name' })
  target!: string;

  @Field({ description: 'the target took the sample event' })
  delivered!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'what the target answered (e.g. `HTTP 200: ok`, the SMTP reply, command output)',
  })
  response!: string | null;

  @Field(() => String, { nullable: true, description: 'why it failed; null when delivered' })
  error!: string | null;
}
