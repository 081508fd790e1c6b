import { domainEnum } from '../../common/graphql/domain-enum';
import {
  NOTIFICATION_EVENTS,
  type NotificationEventName,
  type Severity,
} from '../../config/notifications.types';
import type { OutboxState } from '../../jobs/notification-outbox-store';

const EVENT_DESCRIPTIONS: Record<NotificationEventName, string> = {
  'job.queued': 'a job was queued',
  'job.started': 'a job started running',
  'job.succeeded': 'a job succeeded without warnings',
  'job.warnings': 'a job succeeded with warnings',
  'job.failed': 'a job failed (other than by timing out)',
  'job.canceled': 'a job was canceled',
  'job.timed-out': 'a job ran past its maxDuration and was stopped',
  'job.interrupted': 'a job was interrupted by the daemon stopping',
  'backup.overdue': 'a scheduled backup became overdue (the rule of BackupStatus.overdue)',
  'backup.on-time': 'an overdue backup is on time again',
  'repository.unreachable': "restic could not reach a repository's storage",
  'repository.reachable': 'a repository that was unreachable answered again',
  'check.damage': 'a check found errors in a repository',
  'daemon.started': 'the daemon started',
  'daemon.stopping': 'the daemon is stopping',
  'config.reloaded': 'the configuration was reloaded',
  'config.refused': 'a configuration reload was refused; the one in force stays',
};

export const NotificationEventEnum = domainEnum<NotificationEventName>(
  NOTIFICATION_EVENTS,
  'NotificationEvent',
  'what a notification is about',
  EVENT_DESCRIPTIONS,
);

export const NotificationSeverityEnum = domainEnum<Severity>(
  ['info', 'warning', 'error'],
  'NotificationSeverity',
  'how much a notification matters',
  {
    info: 'news: something went as planned',
    warning: 'worth a look: canceled, interrupted, warnings, overdue',
    error: 'needs someone: a failure, an unreachable repository, damage',
  },
);

export const NotificationStateEnum = domainEnum<OutboxState>(
  ['pending', 'sent', 'failed'],
  'NotificationState',
  'where a notification stands in the outbox',
  {
    pending: 'stored, not delivered yet (waiting for its turn or a retry)',
    sent: 'the target took it',
    failed: 'every attempt failed (retry.maxAttempts) or the target was removed',
  },
);
