import type { NotificationFilter } from '../config/notifications.types';
import { type NotificationEvent, SEVERITY_RANK } from './notification-event';

/**
 * Whether a target wants an event. Each list narrows: an event must be among `events`, and when
 * `operations`, `backups` or `repositories` are given, it must be about one of them (so daemon
 * events, which are about no backup, do not reach a target that names backups).
 */
export function wants(filter: NotificationFilter, event: NotificationEvent): boolean {
  if (!filter.events.includes(event.event)) return false;
  if (SEVERITY_RANK[event.severity] < SEVERITY_RANK[filter.minSeverity]) return false;
  const within = (list: readonly string[], value: string | null) =>
    list.length === 0 || (value !== null && list.includes(value));
  return (
    within(filter.operations, event.operation) &&
    within(filter.backups, event.backup) &&
    within(filter.repositories, event.repository)
  );
}
