import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireRole } from '../common/auth/require-role.decorator';
import { PageArgs, type ConnectionShape } from '../common/graphql/connection';
import { NotificationFilterInput } from './dto/notification-filter.input';
import {
  NotificationConnection,
  type NotificationModel,
  TestNotificationResultModel,
} from './models/notification.model';
import { NotificationPages } from './notification-pages';
import { NotificationTester } from './notification-test.service';

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
    @Args('filter', {
      type: () => NotificationFilterInput,
      nullable: true,
      description: 'which notifications',
    })
    filter?: NotificationFilterInput,
  ): ConnectionShape<NotificationModel> {
    return this.pages.notifications(page, filter ?? {});
  }

  @RequireRole('admin')
  @Mutation(() => TestNotificationResultModel, {
    nullable: true,
    description:
      'sends a sample event to one target now (outside the outbox, one attempt) and answers what the target said',
  })
  testNotification(
    @Args('target', { description: 'the target, by name (notifications.targets)' }) target: string,
  ): Promise<TestNotificationResultModel> {
    return this.tester.send(target);
  }
}
