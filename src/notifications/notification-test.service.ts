import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { notFound } from '../common/graphql/api-errors';
import { LiveConfig } from '../config/live-config';
import { blankEvent } from './notification-event';
import { NotificationOutbox } from './notification-outbox.service';
import type { TestNotificationResultModel } from './models/notification.model';

/** The testNotification mutation: a sample event sent once to one target, outside the outbox. */
@Injectable()
export class NotificationTester {
  constructor(
    private readonly config: LiveConfig,
    private readonly outbox: NotificationOutbox,
    private readonly clock: Clock,
  ) {}

  async send(name: string): Promise<TestNotificationResultModel> {
    const { targets } = this.config.current.notifications;
    const target = Object.hasOwn(targets, name) ? targets[name] : undefined;
    if (!target)
      throw notFound(`no notification target named ${JSON.stringify(name.slice(0, 100))}`);
    const host = this.config.current.hostname;
    const backup = Object.keys(this.config.current.backups)[0] ?? 'example';
    const event = {
      ...blankEvent(
        'job.succeeded',
        host,
        new Date(this.clock.now()).toISOString(),
        `test notification from hen-backup on ${host}: target ${name} works`,
      ),
      operation: 'backup',
      trigger: 'api',
      backup,
      state: 'succeeded' as const,
      durationSeconds: 1,
      test: true,
    };
    const outcome = await this.outbox.tryNow(target, event);
    return {
      target: name,
      delivered: outcome.delivered,
      response: outcome.response,
      error: outcome.delivered ? null : outcome.error,
    };
  }
}
