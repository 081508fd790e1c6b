import { registerEnumType } from '@nestjs/graphql';
import {
  NOTIFICATION_EVENTS,
  type NotificationEventName,
  type Severity,
} from '../../config/notifications.types';
import type { OutboxState } from '../../jobs/notification-outbox-store';

/** `job.timed-out` → `JOB_TIMED_OUT`. */
const key = (value: string) => value.toUpperCase().replace(/[.-]/g, '_');

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

export const NotificationEventEnum = Object.fromEntries(
  NOTIFICATION_EVENTS.map((event) => [key(event), event]),
) as Record<string, NotificationEventName>;
registerEnumType(NotificationEventEnum, {
  name: 'NotificationEvent',
  description: 'what a notification is about',
  valuesMap: Object.fromEntries(
    NOTIFICATION_EVENTS.map((event) => [key(event), { description: EVENT_DESCRIPTIONS[event] }]),
  ),
});

export const NotificationSeverityEnum: Record<string, Severity> = {
  INFO: 'info',
  WARNING: 'warning',
  ERROR: 'error',
};
registerEnumType(NotificationSeverityEnum, {
  name: 'NotificationSeverity',
  description: 'how much a notification matters',
  valuesMap: {
    INFO: { description: 'news: something went as planned' },
    WARNING: { description: 'worth a look: canceled, interrupted, warnings, overdue' },
    ERROR: { description: 'needs someone: a failure, an unreachable repository, damage' },
  },
});

export const NotificationStateEnum: Record<string, OutboxState> = {
  PENDING: 'pending',
  SENT: 'sent',
  FAILED: 'failed',
};
registerEnumType(NotificationStateEnum, {
  name: 'NotificationState',
  description: 'where a notification stands in the outbox',
  valuesMap: {
    PENDING: { description: 'stored, not delivered yet (waiting for its turn or a retry)' },
    SENT: { description: 'the target took it' },
    FAILED: { description: 'every attempt failed (retry.maxAttempts) or the target was removed' },
  },
});
