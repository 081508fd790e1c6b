import type { NotificationEvent } from '../../src/notifications/notification-event';

/** Stands in for NotificationOutbox in unit tests: keeps what is published. */
export class RecordingOutbox {
  readonly events: NotificationEvent[] = [];

  publish(event: NotificationEvent): [] {
    this.events.push(event);
    return [];
  }

  names(): string[] {
    return this.events.map((e) => `${e.event}${e.repository ? ` ${e.repository}` : ''}`);
  }
}
