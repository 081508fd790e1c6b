import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../common/auth/require-role.decorator';
import { PageArgs, type ConnectionShape } from '../common/graphql/connection';
import {
  NotificationConnection,
  type NotificationModel,
  TestNotificationResultModel,
} from './models/notification.model';
import { NotificationPages } from './notification-pages';
import { NotificationTester } from './notification-test.service';
import { NotificationFilterArgs, TestNotificationArgs } from './dto/notifications.args';

@Resolver()
export class NotificationsResolver {
  constructor(
    private readonly pages: NotificationPages,
    private readonly tester: NotificationTester,
  ) {}

  @Query(() => NotificationConnection, {
    nullable: true,
    description: 'the notification outbox, newest first: pending, sent and failed deliveries',
  })
  notifications(
    @Args() page: PageArgs,
    @Args() { filter }: NotificationFilterArgs,
  ): ConnectionShape<NotificationModel> {
    return this.pages.notifications(page, filter ?? {});
  }

  @RequireRole('admin')
  @Mutation(() => TestNotificationResultModel, {
    nullable: true,
    description:
      'sends a sample event to one target now (outside the outbox, one attempt) and answers what the target said',
  })
  testNotification(@Args() { target }: TestNotificationArgs): Promise<TestNotificationResultModel> {
    return this.tester.send(target);
  }
}
