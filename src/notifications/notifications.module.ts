import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { ProcessModule } from '../process/process.module';
import { TriggersModule } from '../triggers/triggers.module';
import { CommandRunner } from './command-runner';
import { DaemonNotifier } from './daemon-notifier';
import { HttpSender } from './http-sender';
import { JobNotifier } from './job-notifier';
import { NotificationOutbox } from './notification-outbox.service';
import { NotificationNodeFetcher } from './notification-node-fetcher';
import { NotificationPages } from './notification-pages';
import { NotificationSender } from './notification-sender';
import { NotificationTester } from './notification-test.service';
import { NotificationsResolver } from './notifications.resolver';
import { OverdueWatcher } from './overdue-watcher';
import { SmtpSender } from './smtp-sender';

/** Notifications to people and monitors, through the outbox (see NotificationOutbox). */
@Module({
  imports: [JobsModule, TriggersModule, ProcessModule],
  providers: [
    HttpSender,
    SmtpSender,
    CommandRunner,
    NotificationSender,
    NotificationOutbox,
    JobNotifier,
    OverdueWatcher,
    DaemonNotifier,
    NotificationPages,
    NotificationNodeFetcher,
    NotificationTester,
    NotificationsResolver,
  ],
  exports: [NotificationOutbox],
})
export class NotificationsModule {}
